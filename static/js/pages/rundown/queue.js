/* The queue (rundown): drag, buttons or keyboard. Edits are operations on the list: when someone else changed it
 * first (409), the operation is re-applied to their version instead of overwriting it. */
import { api, toastError } from "../../lib/api.js";
import { $, el, toast } from "../../lib/dom.js";
import { t } from "../../lib/strings.js";
import { API, applyOnAir, numberTag, on, queued, state } from "./state.js";

let chain = Promise.resolve();
let focusSlug = null; // keep keyboard focus on the row that moved

function editRundown(op) {
  chain = chain.then(async () => {
    if (!state.onair) return;
    let r = await putRundown(op(queued()), state.onair.revision);
    if (r.status === 409 && r.data && r.data.state) {
      applyOnAir(r.data.state);
      toast(t("rundown.conflict"));
      r = await putRundown(op(queued()), state.onair.revision);
    }
    if (!r.ok) { toastError(r); renderQueue(); }
  });
  return chain;
}
async function putRundown(slugs, revision) {
  const r = await api("PUT", API + "/rundown", { items: slugs, revision });
  if (r.ok) applyOnAir(r.data);
  return r;
}

export function addToQueue(slug) {
  return editRundown((list) => (list.includes(slug) ? list : list.concat([slug])));
}
function removeFromQueue(slug) {
  return editRundown((list) => list.filter((x) => x !== slug));
}
function moveTo(slug, index) {
  focusSlug = slug;
  return editRundown((list) => {
    const rest = list.filter((x) => x !== slug);
    if (rest.length === list.length) return list; // removed meanwhile by someone else
    const at = Math.max(0, Math.min(rest.length, index));
    return rest.slice(0, at).concat([slug], rest.slice(at));
  });
}

/** "+ Queue" for an item, or a disabled "Queued" when it is in the rundown already. */
export function addButton(slug) {
  const inQueue = queued().includes(slug);
  return el("button", { type: "button", class: "small", disabled: inQueue,
                        text: inQueue ? t("rundown.queued") : "+ " + t("rundown.add"),
                        onclick: () => addToQueue(slug) });
}

function renderQueue() {
  if (!state.onair) return;
  const last = state.onair.rundown.length - 1;
  const rows = state.onair.rundown.map((q, i) =>
    el("li", { class: "queue-row", tabindex: "0", dataset: { slug: q.slug } }, [
      el("span", { class: "handle", title: "drag", text: "⠿" }),
      el("span", { class: "pos", text: String(i + 1) }),
      numberTag(q.number),
      el("span", { class: "q", text: q.question }),
      el("button", { type: "button", class: "icon", title: t("rundown.up"), text: "↑", disabled: i === 0,
                     onclick: () => moveTo(q.slug, i - 1) }),
      el("button", { type: "button", class: "icon", title: t("rundown.down"), text: "↓", disabled: i === last,
                     onclick: () => moveTo(q.slug, i + 1) }),
      el("button", { type: "button", class: "icon danger", title: t("rundown.remove"), text: "✕",
                     onclick: () => removeFromQueue(q.slug) }),
    ]));
  $("queue").replaceChildren(...rows);
  $("queue-empty").hidden = rows.length > 0;
  if (focusSlug) {
    const row = $("queue").querySelector('li[data-slug="' + CSS.escape(focusSlug) + '"]');
    if (row) row.focus();
    focusSlug = null;
  }
}
on("onair shelf", renderQueue);

$("queue").addEventListener("keydown", (e) => {
  const row = e.target.closest("li.queue-row");
  if (!row || e.target !== row) return;
  const rows = Array.from($("queue").children);
  const i = rows.indexOf(row), slug = row.dataset.slug;
  if (e.altKey && e.key === "ArrowUp") moveTo(slug, i - 1);
  else if (e.altKey && e.key === "ArrowDown") moveTo(slug, i + 1);
  else if (e.key === "ArrowUp" && rows[i - 1]) rows[i - 1].focus();
  else if (e.key === "ArrowDown" && rows[i + 1]) rows[i + 1].focus();
  else if (e.key === "Delete" || e.key === "Backspace") {
    const neighbour = rows[i + 1] || rows[i - 1];
    focusSlug = neighbour ? neighbour.dataset.slug : null;
    removeFromQueue(slug);
  } else return;
  e.preventDefault();
});

Sortable.create($("queue"), { // /vendor/Sortable.min.js, a classic script loaded before the page's modules
  handle: ".handle", animation: 150,
  onEnd(evt) { if (evt.oldIndex !== evt.newIndex) moveTo(evt.item.dataset.slug, evt.newIndex); },
});
