/* The run sheet on the rundown page: import a sheet (what changed is shown), the product on air and the next ones
 * with their planned times, and the products people ask about most that still miss facts: fill one in and every
 * open card and overlay shows it. */
import { api, toastError } from "../../lib/api.js";
import { $, el } from "../../lib/dom.js";
import { fmt, t } from "../../lib/strings.js";
import { API } from "./state.js";

let snap = null;

function fieldNames(fields) { return fields.map((f) => t("product." + f)).join("、"); }

function facts(item) {
  const f = item.fields;
  const bits = [t("product.price") + " " + (f.price || t("product.unknown"))];
  if (f.start_time) bits.push(f.start_time);
  if (item.asks_total) bits.push(fmt("runsheet.asks", { n: item.asks_total }));
  return bits.join(" · ");
}

function row(item, withStart) {
  const children = [
    el("span", { class: "num", text: fmt("common.number", { n: item.number }) }),
    el("span", { class: "q", text: item.fields.name }),
    el("span", { class: "muted facts", text: facts(item) }),
  ];
  if (withStart) {
    children.push(el("button", { type: "button", class: "small", text: t("runsheet.on_air_btn"),
                                 onclick: () => patch(item.number, { status: "讲解中" }) }));
  }
  return el("li", { class: "row", dataset: { number: String(item.number) } }, children);
}

function chaseRow(c) {
  const asks = Object.entries(c.asks).map(([f, n]) => t("product." + f) + " " + n).join(" · ");
  return el("li", { class: "row", dataset: { number: String(c.number) } }, [
    el("span", { class: "num", text: fmt("common.number", { n: c.number }) }),
    el("span", { class: "q", text: c.name }),
    el("span", { class: "muted facts", text: asks + " · " + fmt("runsheet.missing", { fields: fieldNames(c.missing) }) }),
    ...c.missing.filter((f) => c.asks[f] || f === "price").slice(0, 2).map((f) =>
      el("button", { type: "button", class: "small fill", text: t("runsheet.set") + t("product." + f),
                     onclick: () => fill(c.number, f) })),
  ]);
}

function fill(number, field) {
  const value = window.prompt(fmt("common.number", { n: number }) + " · " + t("product." + field));
  if (value !== null && value.trim()) patch(number, { [field]: value.trim() });
}

async function patch(number, body) {
  const r = await api("PATCH", API + "/products/" + number, body);
  if (!r.ok) toastError(r);
}

export function applyProducts(data) {
  snap = data;
  const items = (snap && snap.items) || [];
  const by = new Map(items.map((i) => [i.number, i]));
  $("products-empty").hidden = items.length > 0;
  $("products-now").replaceChildren(...(snap && by.has(snap.on_air) ? [row(by.get(snap.on_air), false)] : []));
  $("products-next").replaceChildren(...((snap && snap.next) || []).map((n) => row(by.get(n), true)));
  $("products-chase").replaceChildren(...((snap && snap.chase) || []).map(chaseRow));
}

$("runsheet-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const r = await api("POST", API + "/runsheet", new FormData(ev.target));
  if (!r.ok) { toastError(r); $("runsheet-msg").textContent = ""; return; }
  $("runsheet-msg").textContent = fmt("runsheet.report", { added: r.data.added.length,
    removed: r.data.removed.length, changed: r.data.changed.length });
});
