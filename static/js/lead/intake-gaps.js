// Intake gaps on the lead dashboard: when a source delivered nothing, a dip in demand is an outage, not deflection.
const root = document.getElementById("lead");
const box = document.getElementById("intake-gaps");
const S = JSON.parse(document.getElementById("lead-strings").textContent);

function cell(tag, text) {
  const node = document.createElement(tag);
  node.textContent = text;
  return node;
}

const clock = (ts) => new Date(ts * 1000).toLocaleTimeString([], { hour12: false });

async function load() {
  const r = await fetch(`/api/shows/${encodeURIComponent(root.dataset.show)}/intake-gaps`, { credentials: "same-origin" });
  if (!r.ok) return;
  const { gaps } = await r.json();
  box.hidden = gaps.length === 0;
  if (!gaps.length) return;
  const head = document.createElement("tr");
  head.append(...["gap_source", "gap_start", "gap_end", "gap_seconds", "gap_reason"].map((k) => cell("th", S[`lead.${k}`])));
  const rows = gaps.map((g) => {
    const tr = document.createElement("tr");
    tr.append(cell("td", [g.platform, g.room].filter(Boolean).join(" · ")), cell("td", clock(g.start)),
              cell("td", clock(g.end) + (g.open ? " …" : "")), cell("td", String(g.seconds)), cell("td", g.reason));
    return tr;
  });
  const table = document.createElement("table");
  const thead = document.createElement("thead");
  const tbody = document.createElement("tbody");
  thead.append(head);
  tbody.append(...rows);
  table.append(thead, tbody);
  box.replaceChildren(cell("h2", S["lead.intake_gaps"]), cell("p", S["lead.intake_gaps_def"]), table);
  box.querySelector("p").className = "def";
}

load();
setInterval(load, 15000);
