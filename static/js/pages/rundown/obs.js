/* The show's OBS mapping: which OBS, which text sources and scenes mirror what is on air. */
import { api, errorText } from "../../lib/api.js";
import { $, el } from "../../lib/dom.js";
import { fmt, t } from "../../lib/strings.js";
import { API } from "./state.js";

const obsForm = $("obs-form");
const OBS_FIELDS = ["host", "port", "question_input", "answer_input", "scene", "scene_item", "on_air_scene"];

function obsBody() {
  const body = {};
  for (const k of OBS_FIELDS) body[k] = obsForm.elements[k].value.trim() || null;
  body.port = parseInt(body.port, 10) || 4455;
  if (obsForm.elements.password.value) body.password = obsForm.elements.password.value;
  return body;
}

function fillObs(m) {
  for (const k of OBS_FIELDS) obsForm.elements[k].value = m[k] == null ? "" : m[k];
  obsForm.elements.password.value = "";
  obsForm.elements.password.placeholder = m.password_set ? obsForm.elements.password.dataset.keep : "";
  renderObsBadge(m.configured ? m : null);
}

/** The connected / disconnected badge, from the mapping or from the live health topic. */
export function renderObsBadge(obs) {
  const badge = $("obs-state");
  badge.className = "badge " + (!obs ? "" : obs.connected ? "ok" : "bad");
  badge.textContent = !obs ? "" : obs.connected ? t("rundown.obs_connected") : t("rundown.obs_disconnected");
  badge.title = obs && obs.last_error ? obs.last_error : "";
}

function fillList(id, names) {
  $(id).replaceChildren(...names.map((n) => el("option", { value: n })));
}

export async function loadObs() {
  const r = await api("GET", API + "/obs");
  if (r.ok) fillObs(r.data);
}

obsForm.addEventListener("submit", async (e) => {
  e.preventDefault();
  const r = await api("PUT", API + "/obs", obsBody());
  $("obs-msg").textContent = r.ok ? t("rundown.saved") : errorText(r);
  if (r.ok) fillObs(r.data);
});

$("obs-test").addEventListener("click", async () => {
  $("obs-msg").textContent = "…";
  const r = await api("POST", API + "/obs/test", obsBody());
  const d = r.data || {};
  fillList("obs-scenes", d.scenes || []);
  fillList("obs-inputs", (d.inputs || []).map((i) => i.name).concat(d.scenes || []));
  const found = (d.scenes || []).length + (d.inputs || []).length;
  $("obs-msg").textContent = d.error || (r.ok ? fmt("rundown.obs_found", { n: found }) : "HTTP " + r.status);
});
