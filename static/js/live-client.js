/* One read-only /live subscription: full state on every (re)connect, revisioned snapshots, a status callback.
 * Shared by the console, the rundown page and the overlays. Writes never go through here: they use the HTTP API. */
(function () {
  "use strict";

  function LiveClient(opts) {
    var lastRev = {};
    var skewMs = 0;
    var socket = io("/live", {
      transports: ["websocket", "polling"],
      reconnection: true,
      reconnectionAttempts: Infinity, // an overlay in OBS must come back however long the studio was away
      reconnectionDelay: 500,
      reconnectionDelayMax: 3000,
      randomizationFactor: 0.3,
      timeout: 5000
    });
    var status = function (s) { if (opts.onStatus) opts.onStatus(s); };

    socket.on("connect", function () {
      lastRev = {}; // a new connection (maybe a restarted server) starts a new sequence: its first snapshot wins
      socket.emit("subscribe", { show: opts.show, topics: opts.topics }, function (ack) {
        if (ack && ack.ok) status("live");
        else status("error", ack && ack.error);
      });
    });
    socket.on("disconnect", function () { status("reconnecting"); });
    socket.on("connect_error", function () { status("reconnecting"); });
    socket.on("state", function (snap) {
      if (!snap || snap.show !== opts.show) return;
      if (lastRev[snap.topic] !== undefined && snap.rev <= lastRev[snap.topic]) return;
      lastRev[snap.topic] = snap.rev;
      skewMs = snap.ts * 1000 - Date.now();
      opts.onState(snap.topic, snap.data, snap);
    });

    return {
      socket: socket,
      /** The server's clock in epoch seconds (timers count from server timestamps). */
      now: function () { return (Date.now() + skewMs) / 1000; }
    };
  }

  /** Build DOM without innerHTML: el("div", {class: "x", text: "..."}, [children]). Untrusted text stays text. */
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) return;
      if (k === "text") node.textContent = String(v);
      else if (k === "class") node.className = v;
      else if (k === "dataset") Object.keys(v).forEach(function (d) { node.dataset[d] = v[d]; });
      else if (k.slice(0, 2) === "on") node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? "" : String(v));
    });
    (children || []).forEach(function (c) {
      if (c !== null && c !== undefined && c !== false) node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return node;
  }

  var toastTimer = null;
  /** A short message in the page's #toast element; it goes away by itself. */
  function toast(msg) {
    var box = document.getElementById("toast");
    box.textContent = msg;
    box.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { box.hidden = true; }, 4000);
  }

  /** What a failed api() result says: the server's error text, else the HTTP status. */
  function errorText(r) { return (r.data && r.data.error) || "HTTP " + r.status; }
  function toastError(r) { toast(errorText(r)); }

  /** The list in a live snapshot: topics send either a bare array or {items: [...]}. */
  function listOf(data) { return Array.isArray(data) ? data : (data && data.items) || []; }

  /** Up to n distinct comment texts from samples ([{text}] or [string]): chat repeats itself. */
  function sampleTexts(samples, n) {
    var seen = {}, out = [];
    (samples || []).forEach(function (s) {
      var text = typeof s === "string" ? s : s && s.text;
      if (text && !seen[text] && out.length < n) { seen[text] = true; out.push(text); }
    });
    return out;
  }

  function fmtDuration(seconds) {
    seconds = Math.max(0, Math.floor(seconds));
    var m = Math.floor(seconds / 60), s = seconds % 60;
    return (m < 10 ? "0" : "") + m + ":" + (s < 10 ? "0" : "") + s;
  }

  /** JSON request to the studio API with the page's CSRF token; resolves {ok, status, data}. */
  function api(method, url, body) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    var headers = { "Accept": "application/json" };
    if (meta) headers["X-CSRF-Token"] = meta.content;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    return fetch(url, {
      method: method, headers: headers, credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (r) {
      return r.text().then(function (t) {
        var data = null;
        try { data = t ? JSON.parse(t) : null; } catch (e) { data = { error: t.slice(0, 200) }; }
        return { ok: r.ok, status: r.status, data: data };
      });
    }, function () { return { ok: false, status: 0, data: { error: "network" } }; });
  }

  window.Live = { LiveClient: LiveClient, el: el, fmtDuration: fmtDuration, api: api, sampleTexts: sampleTexts,
                  toast: toast, toastError: toastError, errorText: errorText, listOf: listOf };
})();
