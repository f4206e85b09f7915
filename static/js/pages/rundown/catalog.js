/* The catalog with its search box and the shelf toggles of this show. */
import { api, toastError } from "../../lib/api.js";
import { $, el } from "../../lib/dom.js";
import { t } from "../../lib/strings.js";
import { API, changed, numberTag, on, shelfEntry, state } from "./state.js";
import { addButton } from "./queue.js";

export async function loadCatalog() {
  const r = await api("GET", "/api/faq");
  if (r.ok) {
    state.catalog = r.data.items.filter((i) => i.status !== "archived");
    changed("catalog");
  }
}

function renderCatalog() {
  const needle = $("search").value.trim().toLowerCase();
  const rows = state.catalog.filter((i) =>
    !needle || (i.question + " " + i.slug + " " + (i.keywords || []).join(" ")).toLowerCase().includes(needle),
  ).slice(0, 200).map((i) => {
    const entry = shelfEntry(i.slug);
    return el("li", { class: "row", dataset: { slug: i.slug } }, [
      numberTag(entry ? entry.number : null), el("span", { class: "q", text: i.question }),
      el("button", { type: "button", class: "small shelf-toggle" + (entry ? " on" : ""),
                     text: entry ? t("rundown.shelf_off") : t("rundown.shelf_on"),
                     onclick: () => toggleShelf(i, !entry) }),
      addButton(i.slug),
    ]);
  });
  $("catalog").replaceChildren(...rows);
}
on("onair shelf catalog", renderCatalog);
$("search").addEventListener("input", renderCatalog);

/** Put an item on this show's shelf (keeping its own link number when free) or take it off. */
export async function toggleShelf(item, putOn) {
  let entries = state.shelf.map((e) => ({ slug: e.slug, number: e.number }));
  if (putOn) {
    const used = entries.map((e) => e.number);
    const n = item.number && !used.includes(item.number) ? item.number : Math.max(0, ...used) + 1;
    entries.push({ slug: item.slug, number: n });
  } else {
    entries = entries.filter((e) => e.slug !== item.slug);
  }
  const r = await api("PUT", API + "/shelf", { items: entries });
  if (r.ok) { state.shelf = r.data.items; changed("shelf"); }
  else toastError(r);
}
