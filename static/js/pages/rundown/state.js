/* What the rundown page knows (the show's on-air state, ranking, emerging questions, shelf, catalog) and who
 * redraws when a part of it changes. Sections subscribe with on("onair", fn); whoever changes a part calls
 * changed("onair"). No section imports another section's renderer. */
import { el } from "../../lib/dom.js";
import { fmt, loadStrings } from "../../lib/strings.js";

export const root = document.querySelector(".rundown-grid");
export const SHOW = root.dataset.show;
export const API = "/api/shows/" + encodeURIComponent(SHOW);
loadStrings("rundown-strings"); // first, before any section renders

export const state = { onair: null, ranking: [], emerging: [], shelf: [], catalog: [] };

const listeners = {};
/** Call fn whenever one of the parts ("onair", "ranking", "emerging", "shelf", "catalog") changes. */
export function on(parts, fn) {
  for (const part of parts.split(" ")) (listeners[part] = listeners[part] || []).push(fn);
}
/** Tell the sections that listen to part; each redraws at most once per call. */
export function changed(...parts) {
  const called = new Set();
  for (const part of parts) {
    for (const fn of listeners[part] || []) {
      if (!called.has(fn)) { called.add(fn); fn(); }
    }
  }
}

/** Take a new on-air state unless it is older than the one shown; true when taken. */
export function applyOnAir(data) {
  if (!data || (state.onair && data.revision < state.onair.revision)) return false;
  state.onair = data;
  changed("onair");
  return true;
}

/** The slugs in the rundown, in order. */
export function queued() { return state.onair ? state.onair.rundown.map((q) => q.slug) : []; }

export function shelfEntry(slug) { return state.shelf.find((e) => e.slug === slug) || null; }

/** Question and link number of an item, from what the caller has, the shelf, then the catalog. */
export function itemInfo(slug, given) {
  const s = shelfEntry(slug) || {};
  const c = state.catalog.find((x) => x.slug === slug) || {};
  return { question: (given && given.question) || s.question || c.question || slug,
           number: given && given.number != null ? given.number : s.number };
}

export function numberTag(n) { return el("span", { class: "num", text: n != null ? fmt("common.number", { n }) : "—" }); }
