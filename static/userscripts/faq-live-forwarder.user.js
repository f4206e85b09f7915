// ==UserScript==
// @name         FAQ Live Studio forwarder
// @namespace    faq-live-studio
// @version      1.0.0
// @description  Forwards the new live comments shown on your own live console page to FAQ Live Studio.
// @match        https://buyin.jinritemai.com/dashboard/live/control*
// @match        https://eos.douyin.com/livesite/live/current*
// @match        https://tbzb.taobao.com/live*
// @match        https://ark.xiaohongshu.com/live_center_control*
// @match        https://live.kuaishou.com/u/*
// @match        https://channels.weixin.qq.com/platform/live/*
// @grant        GM_xmlhttpRequest
// @connect      *
// @run-at       document-idle
// ==/UserScript==

/* ============================== CONFIG: edit here ===================================================
 * hookUrl   the receiver URL printed by `studio source hook-url --show SHOW --platform generic`.
 * sites     per console host: `platform` (stored with each comment), and CSS selectors, found with the
 *           browser's DevTools on your console page: `list` holds the comment rows, `row` is one comment,
 *           `user` and `text` are inside a row. Consoles rename their CSS classes with releases: when comments
 *           stop arriving, check these first.
 * A page may also set window.FAQ_LIVE_FORWARDER = {hookUrl, platform, list, row, user, text} before this
 * script runs; those values win.
 * ===================================================================================================== */
const FAQ_LIVE_CONFIG = {
  hookUrl: "",
  flushMs: 500,        // send what arrived every this many milliseconds
  maxBatch: 500,       // comments per request
  maxQueued: 5000,     // kept while the studio is unreachable; the oldest go first beyond this
  forwardExisting: false,  // also send the comments already on the page when it loads
  sites: {
    "buyin.jinritemai.com": {platform: "douyin", list: "[class*='commentList']", row: "[class*='commentItem']",
                             user: "[class*='nickname']", text: "[class*='description']"},
    "eos.douyin.com": {platform: "douyin", list: "[class*='comment-list']", row: "[class*='comment-item']",
                       user: "[class*='nickname']", text: "[class*='content']"},
    "tbzb.taobao.com": {platform: "taobao", list: "#liveComment", row: "[class*='comment-item']",
                        user: "[class*='nick']", text: "[class*='content']"},
    "ark.xiaohongshu.com": {platform: "xiaohongshu", list: ".comments", row: ".comment-list-item",
                            user: "[class*='name']", text: "[class*='content']"},
    "live.kuaishou.com": {platform: "kuaishou", list: ".chat-history", row: ".comment-cell",
                          user: ".username", text: ".comment"},
    "channels.weixin.qq.com": {platform: "wechat", list: "[class*='live-message-list']", row: "[class*='message-item']",
                               user: "[class*='nickname']", text: "[class*='message-content']"},
  },
};
/* ============================== end of CONFIG ======================================================== */

(function () {
  "use strict";
  const site = Object.assign({platform: "web", list: "body", row: "li", user: "", text: ""},
                             FAQ_LIVE_CONFIG.sites[location.hostname] || {},
                             {hookUrl: FAQ_LIVE_CONFIG.hookUrl}, window.FAQ_LIVE_FORWARDER || {});
  if (!site.hookUrl) {
    console.warn("[faq-live] no hookUrl configured: edit FAQ_LIVE_CONFIG at the top of the script");
    return;
  }
  const queue = [];
  let sending = false;

  function textOf(row, selector) {
    const el = selector ? row.querySelector(selector) : row;
    return el ? el.textContent.replace(/\s+/g, " ").trim() : "";
  }

  function capture(row) {
    if (row.dataset.faqLiveSeen) return;  // a row re-inserted by the page is not a new comment
    row.dataset.faqLiveSeen = "1";
    const text = textOf(row, site.text);
    if (!text) return;
    const user = textOf(row, site.user).replace(/[:：]\s*$/, "");
    queue.push({platform: site.platform, user: user, user_quality: user ? "session" : "absent", text: text,
                ts: Date.now()});
    if (queue.length > FAQ_LIVE_CONFIG.maxQueued) queue.splice(0, queue.length - FAQ_LIVE_CONFIG.maxQueued);
  }

  function rowsIn(node) {
    if (node.nodeType !== Node.ELEMENT_NODE) return [];
    if (node.matches(site.row)) return [node];
    return Array.from(node.querySelectorAll(site.row));
  }

  // The studio's receiver reads text/plain as JSON: a "simple" cross-origin request needs no preflight.
  function post(body) {
    if (typeof GM_xmlhttpRequest === "function") {
      return new Promise((resolve, reject) => GM_xmlhttpRequest({
        method: "POST", url: site.hookUrl, data: body, headers: {"Content-Type": "text/plain;charset=UTF-8"},
        onload: (r) => (r.status < 300 ? resolve() : reject(new Error("HTTP " + r.status))), onerror: reject,
      }));
    }
    return fetch(site.hookUrl, {method: "POST", body: body, headers: {"Content-Type": "text/plain;charset=UTF-8"},
                                mode: "cors", credentials: "omit"})
      .then((r) => { if (!r.ok) throw new Error("HTTP " + r.status); });
  }

  function flush() {
    if (sending || !queue.length) return;
    const batch = queue.slice(0, FAQ_LIVE_CONFIG.maxBatch);
    sending = true;
    post(JSON.stringify(batch))
      .then(() => queue.splice(0, batch.length))
      .catch((e) => console.warn("[faq-live] send failed, will retry:", e.message))
      .finally(() => { sending = false; });
  }

  function watch(list) {
    list.querySelectorAll(site.row).forEach((row) => {
      if (FAQ_LIVE_CONFIG.forwardExisting) capture(row); else row.dataset.faqLiveSeen = "1";
    });
    new MutationObserver((mutations) => {
      for (const m of mutations) m.addedNodes.forEach((n) => rowsIn(n).forEach(capture));
    }).observe(list, {childList: true, subtree: true});
    setInterval(flush, FAQ_LIVE_CONFIG.flushMs);
    console.info("[faq-live] forwarding comments from", site.list, "as", site.platform);
  }

  // Consoles render their comment list late: look for it until it exists.
  function start() {
    const list = document.querySelector(site.list);
    if (list) watch(list); else setTimeout(start, 1000);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
