/* Teaching the matcher during the show, shared by the rundown page and the host console: the review queue's rows,
 * the "which item?" chooser and the decision calls. A page gives its show's API base, how to name an item, and the
 * items to choose from; the page's template holds the chooser dialog (#choose, #choose-form, #choose-text,
 * #choose-item, #choose-cancel). Comment text is untrusted: it only ever becomes text nodes. */
import { api, toastError } from "./api.js";
import { $, el, toast } from "./dom.js";
import { fmt, t } from "./strings.js";

/**
 * createTeacher({base, label(slug), items() → [slug], canTeach, onChange(), extra(entry)}) →
 * {teach(text, faq), undo(decision), chooseFor(text, wrongSlug), reviewRows(entries), decisionRows(decisions)}.
 * `faq` is an item's slug or null (not a question for any item); onChange runs after every decision or undo;
 * extra(entry) may add a button of the page's own to a review row (the rundown's "new item").
 */
export function createTeacher({ base, label, items, canTeach, onChange, extra }) {
  const changed = () => { if (onChange) onChange(); };

  async function teach(text, faq) {
    const r = await api("POST", base + "/decisions", { text, faq });
    if (!r.ok) { toastError(r); return null; }
    toast(faq ? fmt("review.taught", { text, n: label(faq) }) : fmt("review.taught_none", { text }));
    changed();
    return r.data;
  }

  async function undo(d) {
    const r = await api("POST", base + "/decisions/" + d.id + "/undo");
    if (!r.ok) { toastError(r); return; }
    toast(fmt("review.undo_done", { text: d.text }));
    changed();
  }

  const dialog = $("choose"), form = $("choose-form"), select = $("choose-item");
  let choosing = null;
  function chooseFor(text, wrong) {
    choosing = text;
    $("choose-text").textContent = "“" + text + "”";
    const options = [el("option", { value: "", text: t("review.choose_none") })].concat(
      items().filter((slug) => slug !== wrong).map((slug) => el("option", { value: slug, text: label(slug) })));
    select.replaceChildren(...options);
    select.selectedIndex = -1;
    dialog.showModal();
    select.focus();
  }
  $("choose-cancel").addEventListener("click", () => dialog.close());
  select.addEventListener("dblclick", () => form.requestSubmit());
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    if (select.selectedIndex < 0 || choosing === null) return;
    dialog.close();
    teach(choosing, select.value || null);
    choosing = null;
  });

  function reviewRows(entries) {
    return entries.map((e) => {
      const g = e.guess;
      const actions = canTeach ? [
        g ? el("button", { type: "button", class: "small primary assign", text: fmt("review.assign", { n: label(g.slug) }),
                           onclick: () => teach(e.text, g.slug) })
          : el("span", { class: "muted", text: t("review.no_guess") }),
        el("button", { type: "button", class: "small choose", text: t("review.choose"), onclick: () => chooseFor(e.text, null) }),
        el("button", { type: "button", class: "small not-question", text: t("review.not_question"),
                       onclick: () => teach(e.text, null) }),
        extra ? extra(e) : null,
      ] : [el("span", { class: "muted", text: g ? fmt("review.guess", { n: label(g.slug) }) : t("review.no_guess") })];
      return el("li", { class: "review-row " + e.kind, tabindex: "0",
                        dataset: { key: e.key, text: e.text, guess: g ? g.slug : "" } }, [
        el("div", { class: "row" }, [
          el("span", { class: "q", text: e.text }),
          e.kind === "cluster" ? el("span", { class: "badge kind", text: t("review.cluster") }) : null,
          el("span", { class: "muted", text: fmt("common.askers", { n: e.askers }) }),
        ]),
        e.samples.length > 1 ? el("ul", { class: "samples" }, e.samples.slice(1, 3).map((text) => el("li", { text })))
          : null,
        el("div", { class: "review-actions" }, actions),
      ]);
    });
  }

  function decisionRows(decisions) {
    return decisions.map((d) => el("li", { class: "row decision" + (d.undone ? " undone" : ""), dataset: { id: d.id } }, [
      el("span", { class: "q", text: d.text }),
      el("span", { class: "to", text: "→ " + (d.faq ? label(d.faq) : t("review.not_question")) }),
      el("span", { class: "muted", text: d.who }),
      d.undone ? el("span", { class: "muted", text: t("review.undone") })
        : canTeach ? el("button", { type: "button", class: "small undo", text: t("review.undo"), onclick: () => undo(d) })
          : null,
    ]));
  }

  /** Keys on a focused review row: A assign the guess, C choose, X not a question, arrows move. */
  function onReviewKey(e, list) {
    const row = e.target.closest("li.review-row");
    if (!row || e.target !== row || e.ctrlKey || e.metaKey || e.altKey) return false;
    const rows = Array.from(list.children), i = rows.indexOf(row);
    const key = e.key.toLowerCase();
    if (canTeach && key === "a" && row.dataset.guess) teach(row.dataset.text, row.dataset.guess);
    else if (canTeach && key === "c") chooseFor(row.dataset.text, null);
    else if (canTeach && key === "x") teach(row.dataset.text, null);
    else if (e.key === "ArrowDown" && rows[i + 1]) rows[i + 1].focus();
    else if (e.key === "ArrowUp" && rows[i - 1]) rows[i - 1].focus();
    else return false;
    e.preventDefault();
    e.stopPropagation();
    return true;
  }

  return { teach, undo, chooseFor, reviewRows, decisionRows, onReviewKey };
}
