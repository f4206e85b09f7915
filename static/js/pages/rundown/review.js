/* The review queue: comments the matcher is unsure about (live topic "review", staff only), and the crew's
 * decisions with undo. One click teaches the matcher "this is item N", another item, or "not a question"; a ranking
 * sample marked "wrong item" is taught the same way (static/js/lib/teach.js). Every process's matcher applies a
 * decision within seconds. */
import { api } from "../../lib/api.js";
import { $, el } from "../../lib/dom.js";
import { fmt, t } from "../../lib/strings.js";
import { createTeacher } from "../../lib/teach.js";
import { openNewItem } from "./new-item.js";
import { API, itemInfo, on, state } from "./state.js";

state.review = [];
let decisions = [];

function itemLabel(slug) {
  const info = itemInfo(slug);
  return (info.number != null ? fmt("common.number", { n: info.number }) + " " : "") + info.question;
}

const teacher = createTeacher({
  base: API, label: itemLabel, canTeach: true, items: () => state.catalog.map((i) => i.slug),
  onChange: () => loadDecisions(),
  // A question the catalog does not have: a new item from it, its comments as the first examples.
  extra: (e) => el("button", { type: "button", class: "small new-item", text: t("common.new_item"),
                               onclick: () => openNewItem({ question: e.question || e.text, samples: e.samples }) }),
});

/** "Which item does this comment ask?" for a comment; `wrong` (an item's slug) is left out of the choice. */
export const chooseFor = teacher.chooseFor;

export async function loadDecisions() {
  const r = await api("GET", API + "/decisions?n=50");
  if (r.ok) { decisions = r.data.items; renderDecisions(); }
}

function renderReview() {
  const rows = teacher.reviewRows(state.review);
  $("review-list").replaceChildren(...rows);
  $("review-empty").hidden = rows.length > 0;
  $("review-count").textContent = rows.length ? String(rows.length) : "";
}
on("review catalog shelf", renderReview);

function renderDecisions() {
  const rows = teacher.decisionRows(decisions);
  $("decisions").replaceChildren(...rows);
  $("decisions-empty").hidden = rows.length > 0;
  $("decisions-count").textContent = decisions.filter((d) => !d.undone).length || "";
}

$("review-list").addEventListener("keydown", (e) => teacher.onReviewKey(e, $("review-list")));
