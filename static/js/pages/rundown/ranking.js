/* What the audience is asking (the ranking) and the emerging questions the catalog does not have yet. */
import { $, el } from "../../lib/dom.js";
import { sampleTexts } from "../../lib/live.js";
import { fmt, t } from "../../lib/strings.js";
import { itemInfo, numberTag, on, state } from "./state.js";
import { addButton } from "./queue.js";
import { openNewItem } from "./new-item.js";
import { chooseFor } from "./review.js";

function renderRanking() {
  const rows = state.ranking.slice(0, 12).map((r) => {
    const info = itemInfo(r.slug, r);
    const trend = { rising: "▲", falling: "▼" }[r.trend] || "–";
    // The samples under an item: one the matcher put here wrongly is taught its right item (or none).
    const samples = sampleTexts(r.samples, 2).map((text) => el("li", { class: "sample" }, [
      el("span", { class: "text", text }),
      el("button", { type: "button", class: "link wrong-item", text: t("review.wrong_item"),
                     onclick: () => chooseFor(text, r.slug) }),
    ]));
    return el("li", { class: "ranked", dataset: { slug: r.slug } }, [
      el("div", { class: "row" }, [
        numberTag(info.number), el("span", { class: "q", text: info.question }),
        el("span", { class: "trend " + (r.trend || ""), text: trend }),
        el("span", { class: "muted", text: fmt("common.askers", { n: r.askers || 0 }) }),
        addButton(r.slug),
      ]),
      el("ul", { class: "samples ranked-samples" }, samples),
    ]);
  });
  $("ranking").replaceChildren(...rows);
  $("ranking-empty").hidden = rows.length > 0;
}
on("onair ranking", renderRanking);

function renderEmerging() {
  const rows = state.emerging.slice(0, 10).map((c) =>
    el("li", { class: "cluster" }, [
      el("div", { class: "row" }, [
        el("span", { class: "q", text: c.question }),
        el("span", { class: "muted", text: fmt("common.askers", { n: c.askers || 0 }) }),
        el("button", { type: "button", class: "small primary", text: t("rundown.make_item"),
                       onclick: () => openNewItem(c) }),
      ]),
      el("ul", { class: "samples" }, sampleTexts(c.samples, 3).map((text) => el("li", { text }))),
    ]));
  $("emerging").replaceChildren(...rows);
  $("emerging-empty").hidden = rows.length > 0;
}
on("emerging", renderEmerging);
