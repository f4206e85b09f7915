/* The run sheet on the rundown page: import a sheet (what changed is shown), the product on air and the next ones
 * with their planned times, and the products people ask about most that still miss facts: fill one in, in the row
 * (Enter saves, Esc cancels, a mistake is said under the field), and every open card and overlay shows it. */
import { api, errorText, toastError } from "../../lib/api.js";
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
  const node = el("li", { class: "row", dataset: { number: String(c.number) } }, [
    el("span", { class: "num", text: fmt("common.number", { n: c.number }) }),
    el("span", { class: "q", text: c.name }),
    el("span", { class: "muted facts", text: asks + " · " + fmt("runsheet.missing", { fields: fieldNames(c.missing) }) }),
    ...c.missing.filter((f) => c.asks[f] || f === "price").slice(0, 2).map((f) =>
      el("button", { type: "button", class: "small fill", dataset: { field: f },
                     text: t("runsheet.set") + t("product." + f), onclick: () => openEditor(c.number, f) })),
  ]);
  if (editing && editing.number === c.number && c.missing.includes(editing.field)) node.append(editing.form);
  return node;
}

// The fact being filled in. A push redraws the list every few seconds while people ask: the same form (what was
// typed, the error shown) is put back into the redrawn row, and the focus with it.
let editing = null;

const MAX_VALUE = 200; // as the server allows
const TIME = /^(\d{1,2})[:：.](\d{2})$/;

/** The value to store, or {error} for the line under the field. */
function checked(field, raw) {
  const value = raw.trim();
  if (!value) return { error: fmt("runsheet.need_value", { field: t("product." + field) }) };
  if (value.length > MAX_VALUE) return { error: fmt("runsheet.too_long", { n: MAX_VALUE }) };
  if (field === "price" && !/\d/.test(value)) return { error: t("runsheet.bad_price") };
  if (field === "start_time") {
    const m = TIME.exec(value);
    if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) return { error: t("runsheet.bad_time") };
    return { value: m[1].padStart(2, "0") + ":" + m[2] };
  }
  return { value };
}

function showError(text) {
  editing.error.textContent = text;
  editing.error.hidden = !text;
  editing.input.setAttribute("aria-invalid", text ? "true" : "false");
}

function openEditor(number, field) {
  if (editing && editing.number === number && editing.field === field) { editing.input.focus(); return; }
  const input = el("input", { type: "text", name: "value", autocomplete: "off", maxlength: String(MAX_VALUE),
                              placeholder: t("runsheet.example." + field, ""),
                              "aria-label": fmt("common.number", { n: number }) + " " + t("product." + field) });
  const error = el("p", { class: "field-error", role: "alert", hidden: true });
  const save = el("button", { type: "submit", class: "small primary", text: t("common.save") });
  const form = el("form", { class: "field-edit", novalidate: true, dataset: { field } }, [
    el("label", { class: "field-label", text: t("product." + field) }), input, save,
    el("button", { type: "button", class: "small", text: t("common.cancel"), onclick: closeEditor }), error,
  ]);
  editing = { number, field, form, input, error, save };
  form.addEventListener("submit", (ev) => { ev.preventDefault(); submit(); });
  input.addEventListener("keydown", (ev) => {
    if (ev.key === "Escape") { ev.preventDefault(); ev.stopPropagation(); closeEditor(); }
  });
  input.addEventListener("input", () => { if (!editing.error.hidden) showError(""); });
  redraw();
  input.focus();
}

function closeEditor() {
  if (!editing) return;
  const back = $("products-chase").querySelector(
    `li[data-number="${editing.number}"] button.fill[data-field="${editing.field}"]`);
  editing.form.remove();
  editing = null;
  if (back) back.focus();
}

async function submit() {
  const { number, field } = editing;
  const v = checked(field, editing.input.value);
  if (v.error) { showError(v.error); editing.input.focus(); return; }
  editing.save.disabled = true;
  const r = await api("PATCH", API + "/products/" + number, { [field]: v.value });
  if (!editing || editing.number !== number || editing.field !== field) return;
  editing.save.disabled = false;
  if (!r.ok) { showError(errorText(r)); editing.input.focus(); return; }
  closeEditor();
}

async function patch(number, body) {
  const r = await api("PATCH", API + "/products/" + number, body);
  if (!r.ok) toastError(r);
}

function redraw() {
  const items = (snap && snap.items) || [];
  const by = new Map(items.map((i) => [i.number, i]));
  const focused = editing && document.activeElement === editing.input;
  const caret = focused ? [editing.input.selectionStart, editing.input.selectionEnd] : null;
  $("products-empty").hidden = items.length > 0;
  $("products-now").replaceChildren(...(snap && by.has(snap.on_air) ? [row(by.get(snap.on_air), false)] : []));
  $("products-next").replaceChildren(...((snap && snap.next) || []).map((n) => row(by.get(n), true)));
  $("products-chase").replaceChildren(...((snap && snap.chase) || []).map(chaseRow));
  if (editing && !editing.form.isConnected) editing = null; // filled meanwhile (or no longer asked about)
  if (focused && editing) {
    editing.input.focus();
    editing.input.setSelectionRange(caret[0], caret[1]);
  }
}

export function applyProducts(data) {
  snap = data;
  redraw();
}

$("runsheet-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const r = await api("POST", API + "/runsheet", new FormData(ev.target));
  if (!r.ok) { toastError(r); $("runsheet-msg").textContent = ""; return; }
  $("runsheet-msg").textContent = fmt("runsheet.report", { added: r.data.added.length,
    removed: r.data.removed.length, changed: r.data.changed.length });
});
