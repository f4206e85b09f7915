// Did the answer work, on the lead dashboard: per answer the item's asks per minute before and after it started,
// beside the other items (the baseline), the room's resolution signals, still asking; and each tier's share.
import { $, el } from "../lib/dom.js";
import { loadStrings, t } from "../lib/strings.js";

loadStrings("lead-strings");
const box = $("proof");
const pct = (v) => (v === null || v === undefined ? "—" : `${Math.round(v * 100)}%`);
let chart = null;

function render(r) {
  const rows = r.answers.map((a) => el("tr", { dataset: { slug: a.slug } }, [
    el("td", { text: a.slug }), el("td", { text: a.rate_before.toFixed(1) }), el("td", { text: a.rate_after.toFixed(1) }),
    el("td", { text: pct(a.drop), class: a.drop > 0 ? "good" : "" }), el("td", { text: pct(a.others_drop) }),
    el("td", { text: pct(a.drop_vs_others), class: a.drop_vs_others > 0 ? "good" : "" }),
    el("td", { text: String(a.resolution_signals) }), el("td", { text: String(a.still_asking) }),
  ]));
  $("proof-table").tBodies[0].replaceChildren(...rows);
  $("proof-empty").hidden = rows.length > 0;
  for (const [tier, n] of Object.entries(r.tiers.counts)) {
    const row = box.querySelector(`[data-tier="${tier}"]`);
    row.querySelector('[data-cell="count"]').textContent = String(n);
    row.querySelector('[data-cell="share"]').textContent = pct(r.tiers.shares[tier]);
  }
  if (typeof Chart === "undefined") return;
  const data = {
    labels: r.answers.map((a) => a.slug),
    datasets: [
      { label: t("lead.proof_before"), data: r.answers.map((a) => a.rate_before), backgroundColor: "#f59e0b" },
      { label: t("lead.proof_after"), data: r.answers.map((a) => a.rate_after), backgroundColor: "#16a34a" },
    ],
  };
  if (chart) {
    chart.data = data;
    chart.update();
  } else {
    chart = new Chart($("proof-chart"), { type: "bar", data, options: { animation: false, maintainAspectRatio: false } });
  }
}

async function load() {
  const r = await fetch(box.dataset.api, { credentials: "same-origin" });
  if (r.ok) render(await r.json());
}

load();
setInterval(load, 15000);
