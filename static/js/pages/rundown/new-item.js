/* A new catalog item from an emerging question: a short form here, the full editor one link away. */
import { api, errorText } from "../../lib/api.js";
import { $, toast } from "../../lib/dom.js";
import { sampleTexts } from "../../lib/live.js";
import { fmt } from "../../lib/strings.js";
import { loadCatalog, toggleShelf } from "./catalog.js";
import { addToQueue } from "./queue.js";

const dialog = $("new-item"), itemForm = $("new-item-form");

export function openNewItem(cluster) {
  const d = cluster.draft || {};
  const f = itemForm.elements;
  itemForm.reset();
  f.question.value = d.question || cluster.question || "";
  f.slug.value = d.slug || "";
  f.keywords.value = (d.keywords || cluster.keywords || []).join("|");
  f.examples.value = (d.examples || sampleTexts(cluster.samples, 10)).join("\n");
  $("new-item-error").hidden = true;
  const q = new URLSearchParams({ new: "1", slug: f.slug.value, question: f.question.value, keywords: f.keywords.value });
  $("new-item-full").href = "/producer/catalog?" + q.toString();
  dialog.showModal();
}

$("new-item-cancel").addEventListener("click", () => dialog.close());
itemForm.addEventListener("submit", async (e) => {
  e.preventDefault();
  const f = itemForm.elements;
  const lines = (text, sep) => text.split(sep).map((s) => s.trim()).filter(Boolean);
  const body = {
    slug: f.slug.value.trim(), question: f.question.value.trim(), answer: f.answer.value.trim(),
    keywords: lines(f.keywords.value, "|"), examples: lines(f.examples.value, "\n"),
    status: f.shelf.checked ? "on_shelf" : "draft",
  };
  const alsoShelf = f.shelf.checked, alsoQueue = f.queue.checked;
  const r = await api("POST", "/api/faq", body);
  if (!r.ok) { $("new-item-error").textContent = errorText(r); $("new-item-error").hidden = false; return; }
  dialog.close();
  toast(fmt("rundown.created", { n: r.data.question }));
  await loadCatalog();
  if (alsoShelf) toggleShelf(r.data, true);
  if (alsoQueue) addToQueue(r.data.slug);
});
