/* A product card (/product/<show>/<n>): rendered from the run sheet, then kept current by the /live "products"
 * snapshot, so a fact the sheet or a producer fills in (待确认 → 79) reaches every open phone within a push. */
import { $ } from "../lib/dom.js";
import { connectLive } from "../lib/live.js";

const card = $("card");
const SHOW = card.dataset.show, NUMBER = Number(card.dataset.number);
const UNKNOWN = JSON.parse($("product-strings").textContent).unknown;
let shownAt = 0;

function fill(item) {
  let changed = false;
  for (const node of card.querySelectorAll("[data-field]")) {
    const value = item.fields[node.dataset.field] || "";
    const text = value || UNKNOWN;
    if (node.textContent !== text) { node.textContent = text; changed = true; }
    node.classList.toggle("unknown", !value);
  }
  const state = $("state");
  state.textContent = state.dataset[item.state] || "";
  card.className = card.className.replace(/state-\w+/, "state-" + item.state);
  if (changed && shownAt) {
    $("updated").hidden = false;
    setTimeout(() => { $("updated").hidden = true; }, 3000);
  }
  shownAt = Date.now();
}

connectLive({
  show: SHOW,
  topics: ["products"],
  onState(topic, data) {
    const item = ((data && data.items) || []).find((i) => i.number === NUMBER);
    if (item) fill(item);
  },
});
