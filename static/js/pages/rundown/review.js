/* The review queue: comments the matcher is unsure about (live topic "review", staff only), and the crew's
 * decisions with undo. One click teaches the matcher "this is item N", another item, or "not a question"; a ranking
 * sample marked "wrong item" is taught the same way. Every process's matcher applies a decision within seconds. */
import { api, toastError } from "../../lib/api.js";
import { $, el, toast } from "../../lib/dom.js";
import { fmt, t } from "../../lib/strings.js";
import { API, itemInfo, on, state } from "./state.js";

state.review = [];
let decisions = [];

function itemLabel(slug) {
  const info = itemInfo(slug);
  return (info.number != null ? fmt("common.number", { n: info.number }) + " " : "") + info.question;
}

/** Teach: `faq` is an item's slug, or null (not a question for any item). */
export async function teach(text, faq) {
  const r = await api("POST", API + "/decisions", { text, faq });
  if (!r.ok) { toastError(r); return null; }
  toast(faq ? fmt("review.taught", { text, n: itemLabel(faq) }) : fmt("review.taught_none", { text }));
  state.review = state.review.filter((e) => e.text !== text); // the next push confirms it
  renderReview();
  loadDecisions();
  return r.data;
}

async function undo(d) {
  const r = await api("POST", API + "/decisions/" + d.id + "/undo");
  if (!r.ok) { toastError(r); return; }
  toast(fmt("review.undo_done", { text: d.text }));
  loadDecisions();
}

export async function loadDecisions() {
  const r = await api("GET", API + "/decisions?n=50");
  if (r.ok) { decisions = r.data.items; renderDecisions(); }
}

// ------------------------------------------------------------------ choosing an item
const dialog = $("choose"), chooseForm = $("choose-form");
let choosing = null;

/** Ask which item `text` asks (or none), then teach it; `not` is an item to leave out (the wrong one). */
export function chooseFor(text, not) {
  choosing = text;
  $("choose-text").textContent = "“" + text + "”";
  const items = state.catalog.filter((i) => i.slug !== not);
  const options = [el("option", { value: "", text: t("review.choose_none") })].concat(
    items.map((i) => el("option", { value: i.slug, text: itemLabel(i.slug) })));
  $("choose-item").replaceChildren(...options);
  $("choose-item").selectedIndex = -1;
  dialog.showModal();
  $("choose-item").focus();
}
$("choose-cancel").addEventListener("click", () => dialog.close());
$("choose-item").addEventListener("dblclick", () => chooseForm.requestSubmit());
chooseForm.addEventListener("submit", (e) => {
  e.preventDefault();
  const sel = $("choose-item");
  if (sel.selectedIndex < 0 || choosing === null) return;
  dialog.close();
  teach(choosing, sel.value || null);
  choosing = null;
});

// ------------------------------------------------------------------ rendering
function renderReview() {
  const rows = state.review.map((e) => {
    const g = e.guess;
    return el("li", { class: "review-row " + e.kind, tabindex: "0", dataset: { key: e.key, text: e.text,
                                                                               guess: g ? g.slug : "" } }, [
      el("div", { class: "row" }, [
        el("span", { class: "q", text: e.text }),
        e.kind === "cluster" ? el("span", { class: "badge", text: t("review.cluster") }) : null,
        el("span", { class: "muted", text: fmt("common.askers", { n: e.askers }) }),
      ]),
      e.samples.length > 1 ? el("ul", { class: "samples" }, e.samples.slice(1, 3).map((text) => el("li", { text })))
        : null,
      el("div", { class: "review-actions" }, [
        g ? el("button", { type: "button", class: "small primary assign", text: fmt("review.assign", { n: itemLabel(g.slug) }),
                           title: fmt("review.guess", { n: g.question }), onclick: () => teach(e.text, g.slug) })
          : el("span", { class: "muted", text: t("review.no_guess") }),
        el("button", { type: "button", class: "small choose", text: t("review.choose"),
                       onclick: () => chooseFor(e.text, null) }),
        el("button", { type: "button", class: "small not-question", text: t("review.not_question"),
                       onclick: () => teach(e.text, null) }),
      ]),
    ]);
  });
  $("review-list").replaceChildren(...rows);
  $("review-empty").hidden = rows.length > 0;
  $("review-count").textContent = rows.length ? String(rows.length) : "";
}
on("review catalog shelf", renderReview);

function renderDecisions() {
  const rows = decisions.map((d) => el("li", { class: "row decision" + (d.undone ? " undone" : ""), dataset: { id: d.id } }, [
    el("span", { class: "q", text: d.text }),
    el("span", { class: "to", text: "→ " + (d.faq ? itemLabel(d.faq) : t("review.not_question")) }),
    el("span", { class: "muted", text: d.who }),
    d.undone ? el("span", { class: "muted", text: t("review.undone") })
      : el("button", { type: "button", class: "small undo", text: t("review.undo"), onclick: () => undo(d) }),
  ]));
  $("decisions").replaceChildren(...rows);
  $("decisions-empty").hidden = rows.length > 0;
  $("decisions-count").textContent = decisions.filter((d) => !d.undone).length || "";
}

$("review-list").addEventListener("keydown", (e) => {
  const row = e.target.closest("li.review-row");
  if (!row || e.target !== row || e.ctrlKey || e.metaKey || e.altKey) return;
  const rows = Array.from($("review-list").children), i = rows.indexOf(row);
  const key = e.key.toLowerCase();
  if (key === "a" && row.dataset.guess) teach(row.dataset.text, row.dataset.guess);
  else if (key === "c") chooseFor(row.dataset.text, null);
  else if (key === "x") teach(row.dataset.text, null);
  else if (e.key === "ArrowDown" && rows[i + 1]) rows[i + 1].focus();
  else if (e.key === "ArrowUp" && rows[i - 1]) rows[i - 1].focus();
  else return;
  e.preventDefault();
});
