/* Lead dashboard: polls the deflection report, draws the charts, the funnel (sortable) and the Erlang C panel.
   Times arrive as UTC epoch seconds and are shown in the lead's time zone (?tz= or the browser's). The same
   module draws the charts of the printable report from the data embedded in it. Chart.js is the classic
   /vendor/chart.umd.min.js, loaded before this module. */
import { api, errorText } from "../lib/api.js";
import { fmt, loadStrings, t } from "../lib/strings.js";

const LIVE_REFRESH_MS = 5000;
const IDLE_REFRESH_MS = 30000;
const COLORS = { demand: "#ff4d4f", pages: "#1677ff", contacts: "#fa8c16", deflection: "#16a34a" };

function timeFormatter(tz, lang, withDate) {
  const opts = { timeZone: tz, hour: "2-digit", minute: "2-digit", hour12: false };
  if (withDate) Object.assign(opts, { year: "numeric", month: "2-digit", day: "2-digit" });
  try {
    return new Intl.DateTimeFormat(lang === "zh" ? "zh-CN" : "en-GB", opts);
  } catch (e) {  // an unknown zone name: fall back to UTC rather than show nothing
    return new Intl.DateTimeFormat(lang === "zh" ? "zh-CN" : "en-GB", Object.assign(opts, { timeZone: "UTC" }));
  }
}

function makeChart(canvas, color, kind) {
  return new Chart(canvas, {
    type: kind,
    data: { labels: [], datasets: [{ data: [], borderColor: color, backgroundColor: color + "55", fill: kind === "line",
      pointRadius: 0, borderWidth: 2, tension: 0.25 }] },
    options: {
      animation: false, responsive: true, maintainAspectRatio: false,
      plugins: { legend: { display: false } },
      scales: { x: { ticks: { maxTicksLimit: 8, maxRotation: 0 } }, y: { beginAtZero: true, ticks: { precision: 0 } } },
    },
  });
}

function chartSet() {
  return {
    demand: makeChart(document.getElementById("chart-demand"), COLORS.demand, "bar"),
    pages: makeChart(document.getElementById("chart-pages"), COLORS.pages, "bar"),
    contacts: makeChart(document.getElementById("chart-contacts"), COLORS.contacts, "bar"),
    deflection: makeChart(document.getElementById("chart-deflection"), COLORS.deflection, "line"),
  };
}

/* Demand bars are darker while an answer is on air, so the drop after each answer is visible. */
function onAirColors(series, segments) {
  return series.t.map((t) => {
    const end = t + series.bucket_seconds;
    const live = (segments || []).some((g) => g.started_at < end && (g.ended_at === null || g.ended_at > t));
    return live ? "#a8071a" : COLORS.demand + "88";
  });
}

function drawSeries(charts, series, fmt, segments) {
  if (!series) return;
  const labels = series.t.map((t) => fmt.format(new Date(t * 1000)));
  charts.demand.data.datasets[0].backgroundColor = onAirColors(series, segments);
  const data = { demand: series.demand, pages: series.page_views, contacts: series.contacts,
    deflection: series.deflected_cumulative || [] };
  for (const [key, chart] of Object.entries(charts)) {
    chart.data.labels = labels;
    chart.data.datasets[0].data = data[key];
    chart.update("none");
  }
}

function fixed(v, digits) {
  return v === null || v === undefined ? "—" : Number(v).toFixed(digits);
}

function pct(v) {
  return v === null || v === undefined ? "—" : (v * 100).toFixed(1) + "%";
}

/* Analytics say why a figure is missing as a code (reason_code) beside an English sentence; the page shows the
   code's translation, and the sentence only for a code it has no string for. */
function reason(code, text) {
  const key = "reason." + code;
  return (code && t(key) !== key ? t(key) : text) || "";
}

function setText(id, text) {
  const el = document.getElementById(id);
  if (el) el.textContent = text;
}

/* ------------------------------------------------------------ printable report */
const reportEl = document.getElementById("lead-report");
if (reportEl) {
  const data = JSON.parse(document.getElementById("report-data").textContent);
  if (data.series) drawSeries(chartSet(), data.series, timeFormatter(reportEl.dataset.tz, reportEl.dataset.lang, false),
    data.segments);
  const btn = document.getElementById("print");
  if (btn) btn.addEventListener("click", () => window.print());
}

/* ------------------------------------------------------------ live dashboard */
const root = document.getElementById("lead");
if (root) dashboard(root);

function dashboard(root) {
  loadStrings("lead-strings");
  const lang = root.dataset.lang;
  const tz = root.dataset.tz || Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  const showId = root.dataset.show;
  const storeKey = "lead-inputs:" + showId;
  const fmtShort = timeFormatter(tz, lang, false);
  const fmtLong = timeFormatter(tz, lang, true);
  const charts = chartSet();
  const sort = { key: "asked", dir: -1 };
  let items = [];
  let timer = null;

  const agentsInput = document.getElementById("agents");
  const ahtInput = document.getElementById("aht");
  const saved = JSON.parse(localStorage.getItem(storeKey) || "{}");
  if (saved.agents) agentsInput.value = saved.agents;
  if (saved.aht) ahtInput.value = saved.aht;
  setText("tz-name", tz);

  function query() {
    const q = new URLSearchParams({ tz: tz });
    if (agentsInput.value) q.set("agents", agentsInput.value);
    if (ahtInput.value) q.set("aht", ahtInput.value);
    return q.toString();
  }

  function updateLinks() {
    document.getElementById("csv-link").href = `/api/shows/${encodeURIComponent(showId)}/deflection.csv?${query()}`;
    document.getElementById("report-link").href = `/lead/${encodeURIComponent(showId)}/report?${query()}&lang=${lang}`;
  }

  function renderKpis(r) {
    const tot = r.totals || {};
    const reasons = r.reasons || {}, codes = r.reason_codes || {};
    setText("kpi-score", fixed(r.self_service_score, 2));
    setText("kpi-score-sub", reason(codes.self_service_score, reasons.self_service_score) ||
      `${tot.page_viewers ?? 0} ${t("lead.viewers")} / ${tot.one_to_one_people ?? 0} ${t("lead.people")}`);
    setText("kpi-share", pct(r.self_service_share));
    setText("kpi-share-sub", `${tot.self_served_viewers ?? 0} ${t("lead.self_served")} / ${tot.one_to_one_contacts ?? 0} ${t("lead.contacts")}`);
    setText("kpi-deflected", fixed(tot.deflected_contacts_estimate, 1));
    setText("kpi-deflected-sub", tot.deflected_low === null || tot.deflected_low === undefined
      ? reason(codes.deflected_contacts_estimate, reasons.deflected_contacts_estimate)
      : `95%: ${fixed(tot.deflected_low, 1)} … ${fixed(tot.deflected_high, 1)}`);
    setText("kpi-contacts", String(tot.one_to_one_contacts ?? "—"));
    setText("kpi-contacts-sub", `${tot.one_to_one_people ?? 0} ${t("lead.people")} · ${fixed(tot.contacts_per_hour, 1)} / h`);
  }

  function cell(text, cls) {
    const td = document.createElement("td");
    td.textContent = text;
    if (cls) td.className = cls;
    return td;
  }

  function renderFunnel() {
    const rows = items.filter((i) => i.asked || i.unique_page_views || i.one_to_one_contacts || i.on_air_seconds);
    const th = document.querySelector(`#funnel th[data-key="${sort.key}"]`);
    const numeric = !th || th.dataset.type === "num";
    rows.sort((a, b) => {
      const x = a[sort.key], y = b[sort.key];
      if (x === y) return a.slug < b.slug ? -1 : 1;
      if (x === null || x === undefined) return 1;
      if (y === null || y === undefined) return -1;
      return (numeric ? x - y : String(x).localeCompare(String(y), "zh-CN")) * sort.dir;
    });
    const body = document.querySelector("#funnel tbody");
    body.replaceChildren(...rows.map((i) => {
      const tr = document.createElement("tr");
      tr.dataset.slug = i.slug;
      const q = cell(i.question || i.slug, "q");
      const code = document.createElement("code");
      code.textContent = i.slug;
      q.append(document.createElement("br"), code);
      const deflected = cell(i.deflected_contacts_estimate === null ? "—" : fixed(i.deflected_contacts_estimate, 1), "n");
      deflected.title = i.deflected_contacts_estimate === null ? reason(i.deflected_reason_code, i.deflected_reason)
        : `95%: ${fixed(i.deflected_low, 1)} … ${fixed(i.deflected_high, 1)}`;
      tr.append(cell(i.number ?? "", "n"), q, cell(i.asked, "n"), cell(fixed(i.on_air_seconds, 0), "n"),
        cell(i.unique_page_views, "n"), cell(i.helpful_yes, "n"), cell(i.helpful_no, "n"), cell(i.escalations, "n"),
        cell(i.one_to_one_contacts, "n"), deflected, cell(fixed(i.worth_score, 1), "n"));
      return tr;
    }));
    document.querySelectorAll("#funnel th").forEach((h) => {
      h.classList.toggle("sorted", h.dataset.key === sort.key);
      h.dataset.dir = h.dataset.key === sort.key ? (sort.dir > 0 ? "asc" : "desc") : "";
    });
  }

  function waitCell(sc, key) {
    if (sc.saturated && (key === "asa_seconds" || key === "service_level")) {
      return fmt("lead.saturated", { n: Math.round(sc.queue_growth_per_hour) });
    }
    if (key === "asa_seconds") return fixed(sc.asa_seconds, 1) + " s";
    if (key === "contacts_per_hour") return fixed(sc.contacts_per_hour, 1);
    if (key === "agents_needed") return String(sc.agents_needed);
    return pct(sc[key]);
  }

  function renderWait(w) {
    const body = document.querySelector("#wait-table tbody");
    if (!w || !w.with_show) {
      body.replaceChildren();
      setText("wait-note", w ? reason(w.reason_code, w.reason) : "");
      if (w && w.aht_seconds && !ahtInput.value) ahtInput.placeholder = Math.round(w.aht_seconds);
      return;
    }
    const rows = [["per_hour", "contacts_per_hour"], ["asa", "asa_seconds"], ["sl", "service_level"],
      ["p_wait", "p_wait"], ["needed", "agents_needed"]];
    body.replaceChildren(...rows.map(([label, key]) => {
      const tr = document.createElement("tr");
      const th = document.createElement("th");
      th.textContent = t("lead." + label);
      tr.append(th, cell(waitCell(w.with_show, key), w.with_show.saturated ? "bad" : ""),
        cell(waitCell(w.without_show, key), w.without_show.saturated ? "bad" : ""));
      return tr;
    }));
    setText("wait-note", w.aht_source === "contacts" ? `${t("lead.aht")}: ${Math.round(w.aht_seconds)}` : "");
  }

  function renderNext(list) {
    const ol = document.getElementById("next-list");
    ol.replaceChildren(...list.slice(0, 6).map((i) => {
      const li = document.createElement("li");
      const b = document.createElement("b");
      b.textContent = fixed(i.worth_score, 1);
      const span = document.createElement("span");
      span.textContent = i.question || i.slug;
      const small = document.createElement("small");
      small.className = "muted";
      small.textContent = `${t("lead.col_asked")} ${i.asked} · ${t("lead.col_contacts")} ${i.one_to_one_contacts} · ` +
        `${t("lead.col_yes")}/${t("lead.col_no")} ${i.helpful_yes}/${i.helpful_no}`;
      li.append(b, span, small);
      return li;
    }));
  }

  function render(r) {
    const status = document.getElementById("status");
    status.textContent = t("status." + r.show.status, r.show.status);
    status.className = "status status-" + r.show.status;
    root.dataset.status = r.show.status;
    setText("window", r.window ? `${fmtLong.format(new Date(r.window.start * 1000))} – ${fmtShort.format(new Date(r.window.end * 1000))}` : t("lead.no_data"));
    setText("updated", fmtLong.format(new Date(r.generated_at * 1000)));
    renderKpis(r);
    drawSeries(charts, r.series, fmtShort, r.segments);
    items = r.items || [];
    renderFunnel();
    renderWait(r.wait_impact);
    renderNext(r.worth_answering_next || []);
    root.dataset.loaded = "1";
  }

  async function refresh() {
    clearTimeout(timer);
    const err = document.getElementById("error");
    try {
      const r = await api("GET", `${root.dataset.api}?${query()}`);
      if (!r.ok) throw new Error(errorText(r));
      err.hidden = true;
      render(r.data);
    } catch (e) {
      err.textContent = String(e.message || e);
      err.hidden = false;
    }
    timer = setTimeout(refresh, root.dataset.status === "live" ? LIVE_REFRESH_MS : IDLE_REFRESH_MS);
  }

  document.querySelectorAll("#funnel th").forEach((h) => h.addEventListener("click", () => {
    sort.dir = sort.key === h.dataset.key ? -sort.dir : (h.dataset.type === "num" ? -1 : 1);
    sort.key = h.dataset.key;
    renderFunnel();
  }));

  document.getElementById("wait-form").addEventListener("submit", (e) => {
    e.preventDefault();
    localStorage.setItem(storeKey, JSON.stringify({ agents: agentsInput.value, aht: ahtInput.value }));
    updateLinks();
    refresh();
  });

  updateLinks();
  refresh();
}
