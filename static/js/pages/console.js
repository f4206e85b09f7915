/* Host console: the ranking, the queue and the on-air card, driven by /live snapshots; actions over the HTTP API.
 * Every action carries `if_current` (what this screen believes is on air): when two people act at once the
 * second gets 409 plus the winning state, so every console converges on one truth. */
import { api, toastError } from "../lib/api.js";
import { $, el, replay, toast } from "../lib/dom.js";
import { connectLive, listOf, sampleTexts, topicsOf } from "../lib/live.js";
import { fmt, fmtDuration, loadStrings, t } from "../lib/strings.js";
import { createTeacher } from "../lib/teach.js";

const SHOW = document.body.dataset.show;
const API = "/api/shows/" + encodeURIComponent(SHOW);
loadStrings("console-strings");
const state = { onair: null, ranking: [], shelf: {}, health: null, review: [], cases: null };
let chain = Promise.resolve(); // this console's actions go out one after the other

const client = connectLive({
  show: SHOW,
  topics: topicsOf(document.body),
  onState(topic, data) {
    if (topic === "onair") applyOnAir(data);
    else if (topic === "ranking") { state.ranking = listOf(data); renderRanking(); }
    else if (topic === "health") { state.health = data; renderHealth(); }
    else if (topic === "shelf") { indexShelf(data); renderRanking(); }
    else if (topic === "review") { state.review = listOf(data); renderReview(); }
    else if (topic === "cases") { state.cases = data; renderCases(); }
  },
  onStatus(s) {
    $("banner").hidden = s === "live";
    $("conn").className = "conn " + s;
  },
});

// The review queue in a drawer (R): hosts see what the matcher is unsure about, producers teach it from here or
// from a ranking sample ("wrong item"); the rundown page has the same queue with the decisions and their undo.
const CAN_TEACH = document.body.dataset.canTeach === "1";
function itemLabel(slug) {
  const d = describe(slug);
  return (d.number != null ? fmt("common.number", { n: d.number }) + " " : "") + d.question;
}
const teacher = createTeacher({ base: API, label: itemLabel, canTeach: CAN_TEACH, items: () => Object.keys(state.shelf) });

function renderReview() {
  const n = state.review.length;
  const link = $("review-link");
  link.replaceChildren(el("kbd", { text: "R" }), " " + (n ? fmt("review.open", { n }) : t("review.title")));
  link.classList.toggle("waiting", n > 0);
  teacher.renderInto($("review-list"), state.review);
  $("review-empty").hidden = n > 0;
}
function toggleReview(open) {
  const drawer = $("review-drawer");
  drawer.hidden = open === undefined ? !drawer.hidden : !open;
  if (!drawer.hidden) {
    const first = $("review-list").firstElementChild;
    if (first) first.focus();
  }
}
$("review-link").addEventListener("click", () => toggleReview());
$("review-close").addEventListener("click", () => toggleReview(false));
$("review-list").addEventListener("keydown", (e) => teacher.onReviewKey(e, $("review-list")));

function indexShelf(data) {
  state.shelf = {};
  for (const i of listOf(data)) state.shelf[i.slug] = i;
}

function currentSlug() { return state.onair && state.onair.current ? state.onair.current.slug : null; }

function applyOnAir(data) {
  if (!data) return;
  if (state.onair && data.revision < state.onair.revision) return; // older than what is on screen
  state.onair = data;
  renderShow();
  renderOnAir();
  renderQueue();
  renderSegments();
  renderRanking();
}

// ------------------------------------------------------------------ actions
function act(path, body) {
  chain = chain.then(async () => {
    const r = await api("POST", API + path, typeof body === "function" ? body() : body);
    if (r.ok) applyOnAir(r.data);
    else {
      if (r.data && r.data.state) applyOnAir(r.data.state);
      toastError(r);
    }
  });
  return chain;
}
function answer(slug) {
  if (slug) act("/on-air", () => ({ slug, if_current: currentSlug() }));
}
function nextInQueue() { act("/on-air/next", () => ({ if_current: currentSlug() })); }
function endAnswer() {
  if (currentSlug()) act("/on-air", () => ({ slug: null, if_current: currentSlug() }));
}

let endArmed = null;
$("end-show").addEventListener("click", () => {
  if (!endArmed) { // ending the show is rare and final: one extra press instead of a blocking dialog
    $("end-show").textContent = t("console.confirm_end");
    endArmed = setTimeout(() => { endArmed = null; $("end-show").textContent = t("console.end_show"); }, 3000);
    return;
  }
  clearTimeout(endArmed);
  endArmed = null;
  $("end-show").textContent = t("console.end_show");
  act("/end");
});
$("start-show").addEventListener("click", () => act("/start"));
$("end-answer").addEventListener("click", endAnswer);
$("next").addEventListener("click", nextInQueue);

/** The host asks the room "解决了扣1": the resolution signals of the answer count from here (lead dashboard). */
async function askRoom() {
  const r = await api("POST", API + "/room-asks", {});
  if (r.ok) toast(t("console.room_asked"));
  else toastError(r);
}
$("ask-room").addEventListener("click", askRoom);

document.addEventListener("keydown", (e) => {
  if (e.repeat || e.ctrlKey || e.metaKey || e.altKey) return;
  // Esc closes an open drawer first, wherever the focus is (a re-rendered queue may have taken it away).
  if (e.key === "Escape" && !$("review-drawer").hidden && !$("choose").open) {
    toggleReview(false);
    e.preventDefault();
    return;
  }
  if (e.target.closest && e.target.closest("input, textarea, select, [contenteditable], dialog, #review-drawer")) return;
  const digit = /^(?:Digit|Numpad)([1-9])$/.exec(e.code);
  if (digit) {
    const i = +digit[1] - 1;
    const list = e.shiftKey ? (state.onair ? state.onair.rundown : []) : rankedItems();
    if (list[i]) { answer(list[i].slug); flash(e.shiftKey ? "queue" : "ranking", i); }
  } else if (e.key === "n" || e.key === "N") {
    nextInQueue();
  } else if (e.key === "r" || e.key === "R") {
    toggleReview();
  } else if (e.key === "e" || e.key === "E" || e.key === "Escape") {
    endAnswer();
  } else if (e.key === "k" || e.key === "K") {
    askRoom();
  } else {
    return;
  }
  e.preventDefault();
});

function flash(listId, i) {
  const row = $(listId).children[i];
  if (row) replay(row, "pressed");
}

// ------------------------------------------------------------------ rendering
function describe(slug, fallback) {
  const s = state.shelf[slug] || {};
  return {
    number: fallback && fallback.number != null ? fallback.number : s.number,
    question: (fallback && fallback.question) || s.question || slug,
  };
}
function numberTag(n) { return el("span", { class: "num", text: n != null ? fmt("common.number", { n }) : "—" }); }

function rankedItems() { return state.ranking.slice(0, 9); }

function renderRanking() {
  const onAir = currentSlug();
  const rows = state.ranking.slice(0, 12).map((r, i) => {
    const d = describe(r.slug, r);
    // A sample the matcher put under the wrong item: a producer teaches it its right one (or none) from here.
    const samples = sampleTexts(r.samples, 2).map((text) => el("li", {}, [
      el("span", { class: "text", text }),
      CAN_TEACH ? el("button", { type: "button", class: "link wrong-item", text: t("review.wrong_item"),
                                 onclick: (e) => { e.stopPropagation(); teacher.chooseFor(text, r.slug); } }) : null,
    ]));
    const trend = { rising: "▲", falling: "▼" }[r.trend] || "–";
    return el("li", {
      class: "rank-row" + (r.slug === onAir ? " on-air" : "") + (r.cooldown > 0 ? " cooling" : ""),
      dataset: { slug: r.slug }, onclick: () => answer(r.slug),
    }, [
      el("kbd", { class: "key", text: i < 9 ? String(i + 1) : "" }),
      el("div", { class: "rank-main" }, [
        el("div", { class: "rank-title" }, [numberTag(d.number), el("span", { class: "q", text: d.question })]),
        el("ul", { class: "samples" }, samples),
      ]),
      el("div", { class: "rank-figures" }, [
        el("span", { class: "trend " + (r.trend || "steady"), text: trend }),
        el("span", { class: "askers", text: fmt("common.askers", { n: r.askers != null ? r.askers : 0 }) }),
        r.slug === onAir ? el("span", { class: "badge live", text: t("console.on_air_now") })
          : r.cooldown > 0 ? el("span", { class: "badge", text: t("console.cooldown") }) : null,
      ]),
    ]);
  });
  $("ranking").replaceChildren(...rows);
  $("ranking-empty").hidden = rows.length > 0;
}

function renderShow() {
  const show = state.onair.show;
  $("show-status").className = "status " + show.status;
  $("show-status").textContent = t("status." + show.status, show.status);
  $("show-title").textContent = show.title;
  $("start-show").hidden = show.status === "live";
  $("end-show").hidden = show.status !== "live";
}

function renderOnAir() {
  const cur = state.onair.current;
  $("onair").classList.toggle("idle", !cur);
  $("onair-number").textContent = cur && cur.number != null ? fmt("common.number", { n: cur.number }) : "";
  $("onair-question").textContent = cur ? cur.question : t("console.idle");
  $("onair-answer").textContent = cur ? cur.answer : t("console.idle_hint");
  $("end-answer").disabled = !cur;
  const up = state.onair.up_next[0];
  $("next-preview").textContent = up ? "· " + up.question : "";
  $("next").disabled = !up;
  tick();
}

function renderQueue() {
  const rows = state.onair.rundown.map((q, i) =>
    el("li", { class: "queue-row" + (q.slug === currentSlug() ? " on-air" : ""), dataset: { slug: q.slug } }, [
      el("kbd", { class: "key", text: i < 9 ? "⇧" + (i + 1) : "" }),
      numberTag(q.number),
      el("span", { class: "q", text: q.question }),
      el("button", { class: "small", type: "button", text: t("console.answer"), onclick: () => answer(q.slug) }),
    ]));
  $("queue").replaceChildren(...rows);
  $("queue-empty").hidden = rows.length > 0;
}

function renderSegments() {
  const rows = state.onair.segments.map((s) => {
    const dur = s.ended_at ? fmtDuration(s.ended_at - s.started_at) : t("console.on_air_now");
    return el("li", { class: s.ended_at ? "" : "on-air" }, [
      numberTag(s.number), el("span", { class: "q", text: s.question }), el("span", { class: "dur", text: dur }),
    ]);
  });
  $("segments").replaceChildren(...rows);
}

function healthRow(name, lastAt, detail, status, error) {
  return el("li", { dataset: { lastAt: lastAt || "", state: status || "" }, title: error || "" }, [
    el("span", { class: "dot" }), el("span", { class: "name", text: name }), el("span", { class: "age" }),
    el("span", { class: "rate", text: detail }),
  ]);
}
const up = (src) => src.connected && src.state !== "silent"; // a silent source is not delivering
// The state in the page's language ("silent" → 异常安静); an unknown state shows as itself.
const stateWord = (src) => (src.stale ? t("intake.state_stale") : t("rundown.src_state_" + src.state, src.state));
function renderHealth() {
  const h = state.health || {};
  const rate = (n) => (n != null ? fmt("console.per_minute", { n: Math.round(n) }) : "");
  let rows = (h.sources || []).map((src) => // platform connections: down is red whatever the age
    healthRow([src.platform, src.room].filter(Boolean).join(" · "), src.last_message_at,
              up(src) ? rate(src.per_minute) : stateWord(src), up(src) ? "" : "down", src.last_error),
  ).concat((h.inputs || []).map((i) =>
    healthRow([i.platform, i.source].filter(Boolean).join(" · "), i.last_at, rate(i.per_minute))));
  if (!rows.length) rows = [el("li", { class: "muted", text: t("console.no_inputs") })];
  // The studio's own trouble (database or Redis away) comes first, in red, with what it means for the show.
  rows = (h.problems || []).map((p) =>
    el("li", { class: "dead", dataset: { problem: "1" }, title: p.message }, [
      el("span", { class: "dot" }), el("span", { class: "name", text: p.part }), el("span", { class: "rate", text: p.message }),
    ])).concat(rows);
  $("inputs").replaceChildren(...rows);
  const obs = h.obs;
  const box = $("obs");
  box.className = "obs " + (!obs ? "none" : obs.connected ? "ok" : "bad");
  const label = !obs ? t("console.obs_none")
    : obs.connected ? t("console.obs_on") + (obs.obs_version ? " · " + obs.obs_version : "")
      : t("console.obs_off");
  box.replaceChildren(el("span", { class: "dot" }), el("span", { text: label }));
  if (obs && obs.last_error) box.append(el("div", { class: "err", text: obs.last_error }));
  tick();
}

// The specialist queue at a glance: how many wait, how long the oldest unclaimed one has, the top three's reasons.
// Read-only, and never the viewers' words: those cases are for the agents, not something to answer on air.
const TOP_CASES = 3;
function renderCases() {
  const q = state.cases || { items: [], open: 0, red: 0 };
  $("cases-open").textContent = fmt("console.cases_open", { n: q.open });
  $("cases-red").hidden = !q.red;
  $("cases-red").textContent = fmt("console.cases_red", { n: q.red });
  const top = (q.items || []).filter((c) => c.state === "open").slice(0, TOP_CASES);
  $("cases-top").replaceChildren(...top.map((c) => el("li", { class: c.red ? "red" : "" }, [
    el("span", { class: "urgency", text: String(c.urgency) }),
    el("span", { class: "reason", text: (c.reasons || [c.reason]).map((r) => t("triage." + r, r)).join(" · ") }),
  ])));
  $("cases-empty").hidden = q.open > 0;
  tickCases(client.now());
}

function tickCases(now) {
  const q = state.cases;
  const oldest = $("cases-oldest");
  oldest.hidden = !q || q.oldest_open_at == null;
  if (oldest.hidden) return;
  const age = Math.max(0, now - q.oldest_open_at);
  oldest.textContent = fmt("console.cases_oldest", { age: fmtDuration(age) });
  oldest.classList.toggle("red", age >= q.target_seconds);
}

function tick() {
  const now = client.now();
  tickCases(now);
  const cur = state.onair && state.onair.current;
  $("timer").textContent = cur ? fmtDuration(now - cur.started_at) : "00:00";
  $("clock").textContent = new Date(now * 1000).toLocaleTimeString("zh-CN", { hour12: false });
  for (const li of $("inputs").children) {
    const last = parseFloat(li.dataset.lastAt);
    const age = li.querySelector(".age");
    if (!age || li.dataset.problem) continue;
    const secs = isNaN(last) ? null : Math.max(0, Math.round(now - last));
    age.textContent = secs === null ? t("common.no_comments") : fmt("console.ago", { n: secs });
    li.className = li.dataset.state === "down" || secs > 120 ? "dead" : secs === null || secs > 30 ? "stale" : "fresh";
  }
}
setInterval(tick, 250);
