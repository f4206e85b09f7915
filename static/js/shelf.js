// The live shelf: search as you type (server-side, so Traditional input works), keep "讲解中" current by
// polling the cacheable /now endpoint, and report the shelf view.
(function () {
  "use strict";
  const list = document.getElementById("shelf");
  if (!list) return;
  const show = list.dataset.show;
  const cards = Array.from(list.querySelectorAll(".v-card"));
  const empty = document.getElementById("empty");
  const count = document.getElementById("count");
  const form = document.querySelector(".v-search");
  const input = form.querySelector("input");
  const POLL_MS = 3000;
  const SEARCH_DELAY_MS = 180;

  function sendEvent(event) {
    return fetch("/api/events", {
      method: "POST", credentials: "same-origin", keepalive: true,
      headers: { "Content-Type": "application/json" }, body: JSON.stringify(event),
    }).catch(function () { /* a lost view count must never bother the viewer */ });
  }

  // ---- search ----
  let searchSeq = 0;
  let timer = null;

  function showAll() {
    cards.forEach(function (c) { c.hidden = false; c.style.order = ""; });
    empty.hidden = true;
    count.textContent = count.dataset.all;
  }

  function showOnly(slugs) {
    const rank = new Map(slugs.map(function (s, i) { return [s, i]; }));
    cards.forEach(function (c) {
      const r = rank.get(c.dataset.slug);
      c.hidden = r === undefined;
      c.style.order = r === undefined ? "" : String(r);
    });
    empty.hidden = slugs.length > 0;
    count.textContent = count.dataset.found.replace("{n}", String(slugs.length));
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
      if (seq === searchSeq) showOnly(data.items.map(function (i) { return i.slug; }));
    } catch (e) { /* offline: keep what is shown */ }
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { search(input.value); }, SEARCH_DELAY_MS);
  });
  form.addEventListener("submit", function (e) {
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
    cards.forEach(function (c) { c.classList.toggle("on-air", c.dataset.slug === slug); });
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

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) refreshOnAir();
  });

  sendEvent({ type: "shelf_view", show: show });
  setTimeout(poll, POLL_MS);
})();
