// The service ladder on the lead dashboard: the specialist queue's first-touch times, 3-minute touch rate and
// resolutions per hour, beside the one-to-one channel's first-response wait in the same window.
const box = document.getElementById("tier3");

const seconds = (v) => (v === null || v === undefined ? "—" : `${Math.round(v)} s`);
const share = (v) => (v === null || v === undefined ? "—" : `${(v * 100).toFixed(0)}%`);
const plain = (v) => (v === null || v === undefined ? "—" : String(v));

function put(name, text) {
  const cell = box.querySelector(`[data-cell="${name}"]`);
  if (cell) cell.textContent = text;
}

async function load() {
  const r = await fetch(box.dataset.api, { credentials: "same-origin" });
  if (!r.ok) return;
  const f = await r.json();
  const b = f.baseline || {};
  put("first_touch_p50", seconds(f.first_touch_p50));
  put("first_touch_p90", seconds(f.first_touch_p90));
  put("touch_rate_3m", share(f.touch_rate_3m));
  put("resolved_per_hour", plain(f.resolved_per_hour));
  put("cases", plain(f.cases));
  put("wait_p50", seconds(b.wait_p50));
  put("wait_p90", seconds(b.wait_p90));
  put("within_target", share(b.within_target));
  put("handled_per_hour", plain(b.handled_per_hour));
  put("contacts", plain(b.contacts));
}

load();
setInterval(load, 15000);
