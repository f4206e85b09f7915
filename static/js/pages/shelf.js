/* The live shelf: search as you type (server-side, so Traditional input works), keep "讲解中" current by
 * polling the cacheable /now endpoint, and report the shelf view. */
import { fill } from "../lib/strings.js";
import { sendEvent } from "../lib/viewer-events.js";

const POLL_MS = 3000;
const SEARCH_DELAY_MS = 180;

const list = document.getElementById("shelf");
if (list) start(list);

function start(list) {
  const show = list.dataset.show;
  const cards = Array.from(list.querySelectorAll(".v-card"));
  const empty = document.getElementById("empty");
  const count = document.getElementById("count");
  const form = document.querySelector(".v-search");
  const input = form.querySelector("input");

  // ---- search ----
  let searchSeq = 0;
  let timer = null;

  function showAll() {
    for (const c of cards) { c.hidden = false; c.style.order = ""; }
    empty.hidden = true;
    count.textContent = count.dataset.all;
  }

  function showOnly(slugs) {
    const rank = new Map(slugs.map((s, i) => [s, i]));
    for (const c of cards) {
      const r = rank.get(c.dataset.slug);
      c.hidden = r === undefined;
      c.style.order = r === undefined ? "" : String(r);
    }
    empty.hidden = slugs.length > 0;
    count.textContent = fill(count.dataset.found, { n: slugs.length });
  }

  async function search(query) {
    const q = query.trim();
    const seq = ++searchSeq;
    history.replaceState(null, "", q ? "?q=" + encodeURIComponent(q) : location.pathname);
    if (!q) { showAll(); return; }
    try {
      const resp = await fetch(list.dataset.searchUrl + "?q=" + encodeURIComponent(q));
      if (!resp.ok) return;
      const data = await resp.json();
      if (seq === searchSeq) showOnly(data.items.map((i) => i.slug));
    } catch (e) { /* offline: keep what is shown */ }
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => search(input.value), SEARCH_DELAY_MS);
  });
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    clearTimeout(timer);
    input.blur();
    search(input.value);
  });

  // ---- on air ----
  let onAir = list.dataset.onAir || "";

  function markOnAir(slug) {
    if (slug === onAir) return;
    onAir = slug;
    for (const c of cards) c.classList.toggle("on-air", c.dataset.slug === slug);
  }

  async function refreshOnAir() {
    try {
      // The browser's HTTP cache honours max-age and revalidates with the ETag (304) on its own.
      const resp = await fetch(list.dataset.nowUrl);
      if (resp.ok) markOnAir((await resp.json()).on_air || "");
    } catch (e) { /* try again next round */ }
  }

  async function poll() {
    if (!document.hidden) await refreshOnAir();
    setTimeout(poll, POLL_MS);
  }

  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) refreshOnAir();
  });

  sendEvent({ type: "shelf_view", show });
  setTimeout(poll, POLL_MS);
}
