// Intake gaps on the lead dashboard: when a source delivered nothing, a dip in demand is an outage, not deflection.
import { api } from "../lib/api.js";
import { el } from "../lib/dom.js";
import { loadStrings, t } from "../lib/strings.js";

const root = document.getElementById("lead");
const box = document.getElementById("intake-gaps");
loadStrings("lead-strings");

const COLUMNS = ["gap_source", "gap_start", "gap_end", "gap_seconds", "gap_reason"];
const clock = (ts) => new Date(ts * 1000).toLocaleTimeString([], { hour12: false });
const cells = (tag, texts) => texts.map((text) => el(tag, { text }));

async function load() {
  const r = await api("GET", `/api/shows/${encodeURIComponent(root.dataset.show)}/intake-gaps`);
  if (!r.ok) return;
  const { gaps } = r.data;
  box.hidden = gaps.length === 0;
  if (!gaps.length) return;
  const rows = gaps.map((g) => el("tr", {}, cells("td", [
    [g.platform, g.room].filter(Boolean).join(" · "), clock(g.start), clock(g.end) + (g.open ? " …" : ""),
    String(g.seconds), g.reason])));
  const table = el("table", {}, [
    el("thead", {}, [el("tr", {}, cells("th", COLUMNS.map((k) => t(`lead.${k}`))))]),
    el("tbody", {}, rows)]);
  box.replaceChildren(el("h2", { text: t("lead.intake_gaps") }), el("p", { class: "def", text: t("lead.intake_gaps_def") }),
                      table);
}

load();
setInterval(load, 15000);
