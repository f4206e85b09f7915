/* The moderator panel (/replies/<show>): composed replies in paste order with copy buttons, the show's mode, and
 * each reply's outcome. Live from the staff-only /live topic "replies"; decisions through the HTTP API. */
import { api, toastError } from "../lib/api.js";
import { $, el, toast } from "../lib/dom.js";
import { connectLive } from "../lib/live.js";
import { fmt, loadStrings, t } from "../lib/strings.js";

loadStrings("replies-strings");
const root = $("replies");
const show = root.dataset.show;
const base = `/api/shows/${encodeURIComponent(show)}/replies`;
let canPost = [];

async function decide(id, action) {
  const r = await api("POST", `${base}/${id}`, { action });
  if (!r.ok) toastError(r);
}

async function copy(reply) {
  try {
    await navigator.clipboard.writeText(reply.text);
  } catch (e) {
    // no clipboard permission (an insecure origin): the moderator still sees the text to select
  }
  toast(t("common.copied"));
  await decide(reply.id, "copied");
}

function waitingNode(reply, n) {
  const postable = canPost.includes(reply.platform);
  return el("li", { class: "case reply", dataset: { id: reply.id, state: reply.state } }, [
    el("div", { class: "line1" }, [
      el("span", { class: "order", text: `${n}.` }),
      el("span", { class: "reply-text", text: reply.text }),
      reply.state === "suggested" ? el("button", { class: "primary copy", type: "button", text: t("common.copy"),
        onclick: () => copy(reply) }) : null,
      reply.state === "suggested" && postable ? el("button", { class: "approve", type: "button",
        text: t("replies.approve"), onclick: () => decide(reply.id, "approve") }) : null,
      reply.state === "suggested" ? el("button", { class: "dismiss", type: "button", text: t("replies.dismiss"),
        onclick: () => decide(reply.id, "dismissed") }) : null,
    ]),
    el("div", { class: "comment", text: fmt("replies.in_reply_to", { text: reply.comment }) + ` · ${reply.platform}` }),
  ]);
}

function doneNode(reply) {
  return el("li", { class: "case reply", dataset: { id: reply.id, state: reply.state } }, [
    el("div", { class: "line1" }, [
      el("span", { class: "reply-text", text: reply.text }),
      el("span", { class: `pill state-${reply.state}`, text: t("replies.state." + reply.state) }),
    ]),
    reply.error ? el("span", { class: "error", text: reply.error }) : null,
  ]);
}

function render(data) {
  canPost = data.can_post || [];
  $("mode").value = data.mode;
  $("can-post").textContent = canPost.length ? fmt("replies.can_post", { platforms: canPost.join(", ") }) : t("replies.none_post");
  $("waiting").replaceChildren(...data.items.map((r, i) => waitingNode(r, i + 1)));
  $("empty").hidden = data.items.length > 0;
  $("done").replaceChildren(...data.done.map(doneNode));
}

$("mode").addEventListener("change", async (e) => {
  const r = await api("PUT", `${base}/settings`, { mode: e.target.value });
  if (!r.ok) toastError(r);
});

connectLive({
  show,
  topics: ["replies"],
  onState: (topic, data) => { if (topic === "replies" && data) render(data); },
  onStatus: (status) => { $("conn").className = "conn " + status; },
});
