// The intake alarm on the console and the rundown: when a comment source fails, goes silent or stops reporting
// while the show is live, the page turns red and says what to do. Its own read-only /live subscription to the
// "health" topic; strings come from the page's JSON island. Comment-derived text is only ever set as textContent.
import { el } from "../lib/dom.js";
import { connectLive } from "../lib/live.js";
import { fmt, loadStrings } from "../lib/strings.js";

const DOWN_GRACE = 5; // seconds a reconnect may take before it is worth a red screen

const show = (document.querySelector("[data-show]") || document.body).dataset.show;
const box = document.getElementById("intake-alert");
loadStrings(document.getElementById("console-strings") ? "console-strings" : "rundown-strings");

let health = null;
let live = null;

const node = (tag, cls, text) => el(tag, { class: cls || null, text });

function ago(seconds) {
  if (seconds < 60) return fmt("intake.seconds", { n: Math.round(seconds) });
  return fmt("intake.minutes", { m: Math.floor(seconds / 60), s: Math.round(seconds % 60) });
}

/** Why this source needs a person, or null while it delivers. */
export function trouble(src, now) {
  if (src.stale) return "stale";
  if (src.state === "failed") return "failed";
  if (src.state === "silent") return "silent";
  if ((src.state === "backoff" || src.state === "connecting") && now - (src.since || now) > DOWN_GRACE) return "down";
  return null;
}

function row(src, kind, now) {
  const li = node("li", `intake-row ${kind}`);
  li.dataset.platform = src.platform;
  li.dataset.state = kind;
  const head = node("div", "intake-head");
  head.append(node("span", "intake-name", [src.platform, src.room].filter(Boolean).join(" · ")),
              node("span", "intake-state", fmt(`intake.state_${kind}`)));
  const facts = [src.last_message_at ? fmt("intake.last", { ago: ago(now - src.last_message_at) }) : fmt("intake.never")];
  if (src.normal_per_minute) facts.push(fmt("intake.normal", { n: Math.round(src.normal_per_minute) }));
  facts.push(fmt("intake.counts", { reconnects: src.reconnects || 0, restarts: src.restarts || 0 }));
  li.append(head, node("div", "intake-facts", facts.join(" · ")));
  if (src.last_error) li.append(node("div", "intake-error", src.last_error));
  li.append(node("div", "intake-do", fmt(`intake.do_${kind}`)));
  return li;
}

function render() {
  if (!box) return;
  const now = live ? live.now() : Date.now() / 1000;
  const sources = (health && health.sources) || [];
  const bad = health && health.show_live
    ? sources.map((src) => [src, trouble(src, now)]).filter(([, kind]) => kind) : [];
  document.body.classList.toggle("intake-alarm", bad.length > 0);
  box.hidden = bad.length === 0;
  if (!bad.length) { box.replaceChildren(); return; }
  const title = node("div", "intake-title");
  title.append(node("strong", "", fmt("intake.title")), node("span", "", fmt("intake.during_show")));
  const list = node("ul", "intake-list");
  list.append(...bad.map(([src, kind]) => row(src, kind, now)));
  box.replaceChildren(title, list);
}

if (show && box) {
  live = connectLive({
    show,
    topics: ["health"],
    onState: (topic, data) => {
      if (topic !== "health") return;
      health = data;
      render();
    },
  });
  setInterval(render, 1000);
}
