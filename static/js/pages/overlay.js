/* OBS overlay pages: URL parameters choose the look; /live snapshots (full state on every reconnect) fill it.
 * Text changes land in the DOM at once and are animated with CSS only, so what OBS captures is never behind. */
import { $, el, replay } from "../lib/dom.js";
import { connectLive, listOf, topicsOf } from "../lib/live.js";
import { fmt, loadStrings, t } from "../lib/strings.js";

const body = document.body;
const SHOW = body.dataset.show, KIND = body.dataset.kind;
loadStrings("overlay-strings");
const params = new URLSearchParams(location.search);
const ROW_HEIGHT = 84; // px, ranking rows: keeps the reorder animation a pure transform

const THEMES = ["dark", "light", "brand"];
const POSITIONS = ["bottom-left", "bottom-center", "bottom-right", "top-left", "top-center", "top-right", "center"];

// ------------------------------------------------------------------ look, from the URL
function pick(name, allowed, fallback) {
  const v = params.get(name);
  return allowed.includes(v) ? v : fallback;
}
function colour(name) { // hex only: a parameter must never become arbitrary CSS
  const v = (params.get(name) || "").replace(/^#/, "");
  return /^([0-9a-f]{3}|[0-9a-f]{6}|[0-9a-f]{8})$/i.test(v) ? "#" + v : null;
}
function number(name, lo, hi, fallback) {
  const v = parseFloat(params.get(name));
  return isFinite(v) ? Math.min(hi, Math.max(lo, v)) : fallback;
}

body.classList.remove("theme-dark", "pos-bottom-left");
body.classList.add("theme-" + pick("theme", THEMES, "dark"), "pos-" + pick("pos", POSITIONS, "bottom-left"));
if (colour("accent")) body.style.setProperty("--accent", colour("accent"));
if (colour("text")) { body.style.setProperty("--text", colour("text")); body.classList.add("has-text"); }
body.style.setProperty("--scale", number("scale", 0.3, 3, 1));
const rowsWanted = Math.round(number("n", 1, 10, 5));
if (params.get("parts")) {
  const parts = params.get("parts").split(",");
  for (const node of document.querySelectorAll("[data-part]")) {
    if (!parts.includes(node.dataset.part)) node.classList.add("part-off");
  }
}
if (params.get("bg") === "checker") body.classList.add("checker"); // previews and screenshots only

// ------------------------------------------------------------------ state
let onair = null, ranking = [], shelf = {}, products = null;

connectLive({
  show: SHOW,
  topics: topicsOf(body),
  onState(topic, data) {
    if (topic === "onair") {
      if (onair && data && data.revision < onair.revision) return;
      onair = data;
    } else if (topic === "ranking") {
      ranking = listOf(data);
    } else if (topic === "products") {
      products = data;
    } else if (topic === "shelf") {
      shelf = {};
      for (const i of (data && data.items) || []) shelf[i.slug] = i;
    }
    body.classList.remove("waiting");
    render();
  },
  onStatus(s) { body.dataset.conn = s; }, // never shown: an overlay on air must not show errors
});

function render() {
  if (KIND === "on-air") renderOnAir();
  else if (KIND === "product") renderProduct();
  else if (KIND === "next") renderNext();
  else renderRanking();
}

function numberText(n) { return n != null ? fmt("common.number", { n }) : ""; }

// ------------------------------------------------------------------ on air
function renderOnAir() {
  const cur = onair && onair.current;
  const card = $("card");
  card.classList.toggle("shown", !!cur);
  if (!cur || card.dataset.slug === cur.slug) return;
  card.dataset.slug = cur.slug;
  $("number").textContent = numberText(cur.number);
  $("question").textContent = cur.question;
  $("answer").textContent = cur.answer;
  $("link").textContent = cur.number != null ? fmt("overlay.link", { n: cur.number }) : t("overlay.scan");
  $("qr").src = body.dataset.qrBase + encodeURIComponent(cur.slug) + ".svg";
  replay(card, "enter"); // restart the entrance animation on new content
}

// ------------------------------------------------------------------ a run-sheet product
// The product on air, or the one the URL pins (?n=3); facts not known yet say 待确认 until the sheet fills them.
function renderProduct() {
  const items = (products && products.items) || [];
  const pinned = parseInt(params.get("n"), 10);
  const want = isFinite(pinned) ? pinned : products && products.on_air;
  const item = items.find((i) => i.number === want);
  const card = $("card");
  card.classList.toggle("shown", !!item);
  if (!item) return;
  for (const node of card.querySelectorAll("[data-field]")) {
    const value = item.fields[node.dataset.field] || "";
    node.textContent = value || t("product.unknown");
    node.classList.toggle("unknown", !value);
  }
  $("number").textContent = numberText(item.number);
  if (card.dataset.number !== String(item.number)) {
    card.dataset.number = String(item.number);
    $("qr").src = "/overlay/" + encodeURIComponent(SHOW) + "/product-qr/" + item.number + ".svg";
    replay(card, "enter");
  }
}

// ------------------------------------------------------------------ now / up next
function fillLine(prefix, item) {
  $(prefix).classList.toggle("empty", !item);
  const key = item ? item.slug : "";
  if ($(prefix).dataset.slug === key) return;
  $(prefix).dataset.slug = key;
  $(prefix + "-number").textContent = item ? numberText(item.number) : "";
  $(prefix + "-q").textContent = item ? item.question : "";
  if (item) replay($(prefix), "enter");
}
function renderNext() {
  const cur = onair && onair.current;
  const up = onair && onair.up_next[0];
  fillLine("now", cur);
  fillLine("upnext", up);
  $("card").classList.toggle("shown", !!(cur || up));
}

// ------------------------------------------------------------------ ranking
function renderRanking() {
  const list = $("rows");
  const onAirSlug = onair && onair.current ? onair.current.slug : null;
  const top = ranking.filter((r) => !(r.cooldown > 0) || r.slug === onAirSlug).slice(0, rowsWanted);
  const keep = new Set();
  top.forEach((r, i) => {
    keep.add(r.slug);
    const info = shelf[r.slug] || {};
    let row = list.querySelector('li[data-slug="' + CSS.escape(r.slug) + '"]');
    if (!row) {
      row = el("li", { class: "row enter", dataset: { slug: r.slug } }, [
        el("span", { class: "rank" }), el("span", { class: "number" }), el("span", { class: "q" }),
        el("span", { class: "askers" }),
      ]);
      list.append(row);
    }
    row.style.transform = "translateY(" + i * ROW_HEIGHT + "px)";
    row.classList.toggle("on-air", r.slug === onAirSlug);
    row.classList.remove("leaving");
    row.children[0].textContent = String(i + 1);
    row.children[1].textContent = numberText(r.number != null ? r.number : info.number);
    row.children[2].textContent = r.question || info.question || r.slug;
    row.children[3].textContent = r.askers ? fmt("overlay.askers", { n: r.askers }) : "";
  });
  for (const row of list.querySelectorAll("li")) {
    if (keep.has(row.dataset.slug) || row.classList.contains("leaving")) continue;
    row.classList.add("leaving");
    setTimeout(() => { if (row.classList.contains("leaving")) row.remove(); }, 600);
  }
  list.style.height = top.length * ROW_HEIGHT + "px";
  $("card").classList.toggle("shown", top.length > 0);
}
