// The producer's catalog editor: list with filters, edit form with a live phone preview, shelf toggle,
// renumbering, import (checked first, applied only when clean) and export. Everything goes through the JSON API;
// a save carries the revision it was based on, and a 409 is shown, never overwritten.
import { api } from "../lib/api.js";
import { $ } from "../lib/dom.js";
import { fmt, t, useStrings } from "../lib/strings.js";

const data = JSON.parse(document.getElementById("pc-data").textContent);
useStrings(data.strings);
const rows = $("rows");
const form = $("item-form");
const fields = form.elements;
const PREVIEW_DELAY_MS = 250;

let items = [];          // the catalog as last loaded
let editing = null;      // the item the form was loaded from (null: a new item)
let dirty = false;
let renumbering = null;  // Sortable instance while reordering

function message(box, kind, text, actions) {
  box.className = kind;
  box.textContent = text;
  (actions || []).forEach((a) => {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = a.label;
    b.className = "pc-msg-action";
    b.addEventListener("click", a.run);
    box.appendChild(b);
  });
  box.hidden = false;
}

// ---------------------------------------------------------------- list
async function loadList() {
  const r = await api("GET", "/api/faq");
  if (!r.ok) { message($("list-msg"), "error", fmt("pc.error", { msg: r.data.error })); return; }
  items = r.data.items;
  renderList();
}

function matches(item) {
  const status = $("f-status").value, category = $("f-category").value;
  const text = $("f-text").value.trim().toLowerCase();
  if (status && item.status !== status) return false;
  if (category && item.category !== category) return false;
  if (!text) return true;
  return [item.slug, item.question, item.answer, item.keywords.join(" "), item.examples.join(" "), String(item.number || "")]
    .some((s) => s.toLowerCase().includes(text));
}

function duplicateNumbers() {
  const seen = new Map(), dup = new Set();
  items.forEach((i) => {
    if (i.status !== "on_shelf" || i.number == null) return;
    if (seen.has(i.number)) dup.add(i.number); else seen.set(i.number, i.slug);
  });
  return dup;
}

function cell(tr, text, cls) {
  const td = document.createElement("td");
  if (cls) td.className = cls;
  if (text !== undefined) td.textContent = text;
  tr.appendChild(td);
  return td;
}

function renderList() {
  const dup = duplicateNumbers();
  const shown = renumbering ? items.filter((i) => i.status === "on_shelf") : items.filter(matches);
  rows.replaceChildren();
  shown.forEach((item) => {
    const tr = document.createElement("tr");
    tr.dataset.slug = item.slug;
    tr.classList.toggle("active", !!editing && editing.slug === item.slug);
    const num = cell(tr, item.number == null ? "–" : String(item.number), "num");
    if (dup.has(item.number) && item.status === "on_shelf") {
      const w = document.createElement("span");
      w.className = "pc-dup";
      w.textContent = t("pc.dup");
      num.appendChild(w);
    }
    const q = cell(tr);
    const qt = document.createElement("div");
    qt.className = "pc-q";
    qt.textContent = item.question;
    const slug = document.createElement("code");
    slug.textContent = item.slug;
    q.append(qt, slug);
    const cat = cell(tr);
    const badge = document.createElement("span");
    badge.className = "badge cat-" + item.category;
    badge.textContent = data.categories[item.category];
    cat.appendChild(badge);
    const st = cell(tr);
    if (item.status === "archived") st.textContent = data.statuses.archived;
    else {
      const sw = document.createElement("button");
      sw.type = "button";
      sw.className = "pc-switch";
      sw.setAttribute("role", "switch");
      sw.setAttribute("aria-checked", String(item.status === "on_shelf"));
      sw.textContent = item.status === "on_shelf" ? t("pc.on") : t("pc.off");
      sw.addEventListener("click", (e) => { e.stopPropagation(); toggleShelf(item); });
      st.appendChild(sw);
    }
    cell(tr, String(item.revision), "num");
    tr.addEventListener("click", () => { if (!renumbering) openItem(item.slug); });
    rows.appendChild(tr);
  });
  const active = rows.querySelector("tr.active");
  if (active) active.scrollIntoView({ block: "nearest" });
  $("list-count").textContent = fmt("pc.count", { shown: shown.length, total: items.length });
}

["f-text", "f-status", "f-category"].forEach((id) => { $(id).addEventListener("input", renderList); });

async function toggleShelf(item) {
  const next = Object.assign({}, item, { status: item.status === "on_shelf" ? "draft" : "on_shelf" });
  const r = await api("PUT", "/api/faq/" + encodeURIComponent(item.slug), editable(next, item.revision));
  if (r.status === 409) {
    message($("list-msg"), "error", fmt("pc.toggle_conflict", { slug: item.slug }));
    await loadList();
    return;
  }
  if (!r.ok) { message($("list-msg"), "error", fmt("pc.error", { msg: r.data.error })); return; }
  replaceItem(r.data);
  // Only the status changed: an open form of the same item keeps its edits on top of the new revision.
  if (editing && editing.slug === r.data.slug) {
    editing = r.data;
    fields.status.value = r.data.status;
    showRevision(r.data);
  }
}

function replaceItem(saved) {
  const i = items.findIndex((x) => x.slug === saved.slug);
  if (i >= 0) items[i] = saved; else items.push(saved);
  items.sort((a, b) => {
    return (a.number == null) - (b.number == null) || (a.number || 0) - (b.number || 0) || a.slug.localeCompare(b.slug);
  });
  renderList();
}

// ---------------------------------------------------------------- form
const SPLIT_WORDS = /[|,，、\n]/;

function editable(item, revision) {
  const out = {
    slug: item.slug, number: item.number, question: item.question, answer: item.answer, category: item.category,
    keywords: item.keywords, examples: item.examples, status: item.status, escalation_url: item.escalation_url,
    body: item.body,
  };
  if (revision !== undefined) out.revision = revision;
  return out;
}

function fromForm() {
  const words = (v, re) => { return v.split(re).map((s) => s.trim()).filter(Boolean); };
  return {
    slug: fields.slug.value.trim(), number: fields.number.value ? Number(fields.number.value) : null,
    question: fields.question.value, answer: fields.answer.value, category: fields.category.value,
    keywords: words(fields.keywords.value, SPLIT_WORDS), examples: words(fields.examples.value, /\n/),
    status: fields.status.value, escalation_url: fields.escalation_url.value.trim(), body: fields.body.value,
  };
}

function fill(item) {
  fields.slug.value = item.slug || "";
  fields.slug.readOnly = !!editing;
  fields.number.value = item.number == null ? "" : item.number;
  fields.category.value = item.category || "售前";
  fields.status.value = item.status || "draft";
  fields.question.value = item.question || "";
  fields.answer.value = item.answer || "";
  fields.keywords.value = (item.keywords || []).join(" | ");
  fields.examples.value = (item.examples || []).join("\n");
  fields.escalation_url.value = item.escalation_url || "";
  fields.body.value = item.body || "";
  form.querySelectorAll(".invalid").forEach((el) => { el.classList.remove("invalid"); });
  dirty = false;
  schedulePreview(0);
}

function showRevision(item) {
  $("form-title").textContent = item ? item.question : t("pc.new");
  $("form-rev").textContent = item ? fmt("pc.rev", { rev: item.revision, when: (item.updated_at || "").replace("T", " ").slice(0, 16) }) : "";
  const link = $("view-link");
  link.hidden = !item || item.status !== "on_shelf";
  if (item) link.href = "/faq/" + encodeURIComponent(item.slug);
}

function openForm(item) {
  if (dirty && !window.confirm(t("pc.discard"))) return false;
  editing = item;
  $("pick").hidden = true;
  form.hidden = false;
  $("preview-pane").hidden = false;
  $("form-msg").hidden = true;
  fill(item || { category: "售前", status: "draft" });
  showRevision(item);
  history.replaceState(null, "", item ? "?edit=" + encodeURIComponent(item.slug) : location.pathname);
  renderList();
  return true;
}

async function openItem(slug) {
  const r = await api("GET", "/api/faq/" + encodeURIComponent(slug));
  if (!r.ok) { message($("list-msg"), "error", fmt("pc.error", { msg: r.data.error })); return; }
  if (openForm(r.data)) fields.question.focus();
}

form.addEventListener("input", (e) => {
  dirty = true;
  e.target.classList.remove("invalid");
  schedulePreview(PREVIEW_DELAY_MS);
});

form.addEventListener("submit", async (e) => {
  e.preventDefault();
  const body = fromForm();
  const creating = !editing;
  const r = creating ? await api("POST", "/api/faq", body)
    : await api("PUT", "/api/faq/" + encodeURIComponent(editing.slug), Object.assign(body, { revision: editing.revision }));
  const msg = $("form-msg");
  if (r.status === 409 && r.data.current) {
    const current = r.data.current;
    message(msg, "error conflict", fmt("pc.conflict", { current: current.revision, base: editing.revision }), [{
      label: t("pc.reload"),
      run: () => {
        editing = current;
        fill(current);
        showRevision(current);
        replaceItem(current);
        message(msg, "ok", fmt("pc.reloaded", { rev: current.revision }));
      },
    }]);
    return;
  }
  if (!r.ok) {
    if (r.data.field && fields[r.data.field]) fields[r.data.field].classList.add("invalid");
    message(msg, "error", fmt("pc.error", { msg: r.data.error }));
    return;
  }
  editing = r.data;
  dirty = false;
  fields.slug.readOnly = true;
  showRevision(r.data);
  replaceItem(r.data);
  history.replaceState(null, "", "?edit=" + encodeURIComponent(r.data.slug));
  message(msg, "ok", creating ? t("pc.created") : fmt("pc.saved", { rev: r.data.revision }));
});

$("new-item").addEventListener("click", () => { if (openForm(null)) fields.slug.focus(); });
$("close-form").addEventListener("click", () => {
  if (dirty && !window.confirm(t("pc.discard"))) return;
  dirty = false;
  editing = null;
  form.hidden = true;
  $("preview-pane").hidden = true;
  $("pick").hidden = false;
  history.replaceState(null, "", location.pathname);
  renderList();
});
window.addEventListener("beforeunload", (e) => { if (dirty) e.preventDefault(); });

// ---------------------------------------------------------------- preview
// The sanitized HTML goes into a sandboxed frame styled by the viewer's own stylesheet: what the producer
// sees is what a phone gets, and nothing in it can run.
const frame = $("preview");
let previewTimer = null, previewSeq = 0;

function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, (c) => {
    return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
  });
}

function schedulePreview(delay) {
  clearTimeout(previewTimer);
  previewTimer = setTimeout(renderPreview, delay);
}

async function renderPreview() {
  const seq = ++previewSeq;
  const item = fromForm();
  const r = await api("POST", "/api/preview", { body: item.body });
  if (seq !== previewSeq || !r.ok) return;
  const cat = data.category_codes[item.category] || "";
  frame.srcdoc = '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">' +
    '<link rel="stylesheet" href="' + location.origin + '/static/css/viewer.css"></head>' +
    '<body class="viewer faq-page"><article class="v-page"><div class="v-head"><div class="v-badges">' +
    (item.number ? '<span class="v-num-pill">' + escapeHtml(fmt("viewer.link", { n: item.number })) + "</span>" : "") +
    '<span class="v-cat ' + cat + '">' + escapeHtml(data.categories[item.category]) + "</span></div>" +
    "<h1>" + escapeHtml(item.question) + "</h1>" +
    (item.answer ? '<p class="v-short"><b>' + escapeHtml(t("viewer.short")) + "</b>" + escapeHtml(item.answer) + "</p>" : "") +
    '</div><div class="v-md" id="preview-body">' + r.data.html + "</div></article></body></html>";
}

// ---------------------------------------------------------------- renumber
$("renumber").addEventListener("click", () => {
  if (typeof Sortable === "undefined") return;
  $("f-text").value = ""; $("f-status").value = ""; $("f-category").value = "";
  renumbering = true;
  renderList();
  renumbering = Sortable.create(rows, { animation: 120 });
  rows.classList.add("sorting");
  $("renumber-bar").hidden = false;
});

function endRenumber() {
  if (renumbering && renumbering.destroy) renumbering.destroy();
  renumbering = null;
  rows.classList.remove("sorting");
  $("renumber-bar").hidden = true;
}

$("renumber-cancel").addEventListener("click", () => { endRenumber(); renderList(); });
$("renumber-save").addEventListener("click", async () => {
  const slugs = Array.from(rows.querySelectorAll("tr")).map((tr) => tr.dataset.slug);
  const r = await api("POST", "/api/catalog/renumber", { slugs: slugs });
  endRenumber();
  if (!r.ok) message($("list-msg"), "error", fmt("pc.error", { msg: r.data.error }));
  else message($("list-msg"), "ok", fmt("pc.renumbered", { n: r.data.items.length }));
  await loadList();
});

// ---------------------------------------------------------------- import
let importFile = null;

async function upload(dryRun) {
  const fd = new FormData();
  fd.append("file", importFile);
  return api("POST", "/api/catalog/import" + (dryRun ? "?dry_run=1" : ""), fd);
}

function showReport(r, applied) {
  const d = r.data, box = $("import-report"), table = $("import-errors");
  const tbody = table.querySelector("tbody");
  box.hidden = false;
  tbody.replaceChildren();
  $("import-apply").hidden = true;
  const summary = $("import-summary");
  if (d.rejected) {
    summary.className = "error";
    summary.textContent = fmt("pc.import.rejected", { n: d.rejected });
    d.errors.forEach((err) => {
      const tr = document.createElement("tr");
      cell(tr, err.file);
      cell(tr, err.line == null ? "–" : String(err.line), "num");
      cell(tr, err.message);
      tbody.appendChild(tr);
    });
    table.hidden = false;
    return;
  }
  table.hidden = true;
  if (!r.ok) { summary.className = "error"; summary.textContent = fmt("pc.error", { msg: d.error }); return; }
  summary.className = "ok";
  if (applied) summary.textContent = fmt("pc.import.done", d);
  else if (!d.created && !d.updated) summary.textContent = t("pc.import.nothing");
  else { summary.textContent = fmt("pc.import.plan", d); $("import-apply").hidden = false; }
}

$("import-file").addEventListener("change", async (e) => {
  importFile = e.target.files[0];
  e.target.value = "";
  if (!importFile) return;
  $("import-report").hidden = false;
  $("import-errors").hidden = true;
  $("import-summary").className = "";
  $("import-summary").textContent = fmt("pc.import.checking", { name: importFile.name });
  showReport(await upload(true), false);
});
$("import-apply").addEventListener("click", async () => {
  const r = await upload(false);
  showReport(r, r.ok);
  if (r.ok) await loadList();
});
$("import-close").addEventListener("click", () => { $("import-report").hidden = true; });

// ---------------------------------------------------------------- start
loadList().then(() => {
  const wanted = new URLSearchParams(location.search).get("edit");
  if (wanted) openItem(wanted);
});
