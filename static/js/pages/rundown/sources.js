/* The show's comment sources with their health: adapters (a command to run) and receivers (a URL to paste).
 * Edits replace the whole list (PUT): the list is fetched fresh first so a colleague's change is not undone,
 * and secrets are never sent back (the server keeps those an edit leaves out). */
import { api, errorText, toastError } from "../../lib/api.js";
import { $, el, toast } from "../../lib/dom.js";
import { fmt, t } from "../../lib/strings.js";
import { API, SHOW } from "./state.js";

let serverNow = () => Date.now() / 1000;
const KINDS = JSON.parse($("source-kinds").textContent);
const srcForm = $("source-form"), srcFields = $("source-fields"), srcMore = $("source-more-fields");
const src = { configs: [], health: [], platforms: {}, hookUrls: {}, editing: null, armed: null };
const isReceiver = (p) => KINDS.receivers.includes(p);
const platformName = (p) => t("rundown.src_p_" + p, p);
const keyOf = (c) => c.platform + "\u001f" + (c.room || "");

async function loadSources() {
  const r = await api("GET", API + "/sources");
  if (!r.ok) { $("source-msg").textContent = errorText(r); return r; }
  const first = !Object.keys(src.platforms).length;
  src.configs = r.data.sources; src.health = r.data.health; src.platforms = r.data.platforms;
  if (first) fillPlatforms();
  renderSources();
  return r;
}

/** The health of the show's sources from the live health topic. */
export function applySourceHealth(list) {
  if (!list) return;
  src.health = list;
  renderSources();
}
async function editSources(op) {
  const r = await loadSources();
  if (!r.ok) return r;
  const entries = op(src.configs.map((c) => ({ platform: c.platform, room: c.room, enabled: c.enabled,
                                               settings: c.settings || {} })));
  const w = await api("PUT", API + "/sources", { sources: entries });
  if (w.ok) { src.configs = w.data.sources; renderSources(); }
  return w;
}

function renderSources() {
  const health = {};
  src.health.forEach((h) => { health[keyOf(h)] = h; });
  const rows = src.configs.map((c) => sourceRow(c, health[keyOf(c)]));
  const configured = {};
  src.configs.forEach((c) => { configured[keyOf(c)] = true; });
  src.health.forEach((h) => { // an adapter may run on settings from its environment; a receiver needs a config
    if (!configured[keyOf(h)] && !isReceiver(h.platform)) rows.push(sourceRow(null, h));
  });
  $("sources").replaceChildren(...rows);
  $("sources-empty").hidden = rows.length > 0;
  // Every row counts, also an adapter running on settings of its own (no stored config).
  const all = src.configs.map((c) => health[keyOf(c)])
    .concat(src.health.filter((h) => !configured[keyOf(h)] && !isReceiver(h.platform)));
  const up = all.filter((h) => h && h.connected).length;
  const broken = all.some((h) => h && (h.state === "failed" || h.state === "silent" || h.stale));
  const badge = $("sources-state");
  badge.className = "badge " + (broken ? "bad" : all.length && up === all.length ? "ok" : "");
  badge.textContent = all.length ? fmt("rundown.sources_connected", { n: up + "/" + all.length }) : "";
  tickSources();
}

function stateOf(c, h) {
  if (!h) return { cls: "idle", text: isReceiver(c.platform) ? t("rundown.src_waiting") : t("rundown.src_not_running") };
  if (h.stale) return { cls: "bad", text: t("rundown.src_stale") };
  const cls = h.state === "failed" || h.state === "silent" ? "bad" : h.connected ? "ok" : "idle";
  return { cls: cls, text: t("rundown.src_state_" + h.state, h.state) };
}

function sourceRow(c, h) {
  const base = c || h, receiver = isReceiver(base.platform), st = stateOf(base, h);
  const stats = [el("span", { class: "age", dataset: { lastAt: h && h.last_message_at ? h.last_message_at : "" } })];
  if (h && h.per_minute != null) stats.push(el("span", { text: fmt("rundown.src_rate", { n: Math.round(h.per_minute) }) }));
  if (h && h.received != null) {
    stats.push(el("span", { class: "received", text: fmt("rundown.src_received", { n: h.received }) }));
  }
  if (c && c.secrets_set.length) stats.push(el("span", { text: fmt("rundown.src_secrets", { n: c.secrets_set.join(", ") }) }));
  return el("li", { class: "source-row", dataset: { platform: base.platform, room: base.room || "", state: st.cls } }, [
    el("div", { class: "src-head" }, [
      el("span", { class: "dot" }),
      el("span", { class: "name", text: [platformName(base.platform), base.room].filter(Boolean).join(" · ") }),
      el("span", { class: "badge state " + st.cls, text: st.text }),
      c && !c.enabled ? el("span", { class: "badge", text: t("rundown.src_disabled") }) : null,
      el("span", { class: "spacer" }),
      c && !receiver ? el("button", { type: "button", class: "small", text: t("rundown.src_edit"),
                                      onclick: () => { openSourceForm(c); } }) : null,
      c ? el("button", { type: "button", class: "icon danger remove", title: t("rundown.remove"),
                         text: src.armed === keyOf(c) ? t("rundown.src_remove_confirm") : "✕",
                         onclick: () => { removeSource(c); } }) : null
    ]),
    el("div", { class: "src-stats muted" }, stats),
    h && h.last_error ? el("div", { class: "src-error", text: h.last_error }) : null,
    c ? (receiver ? hookBlock(c) : runBlock(c)) : el("div", { class: "muted", text: t("rundown.src_not_saved") })
  ]);
}

function copyRow(value, cls) {
  // A textarea so the whole URL or command is visible, wrapped, before it is copied.
  const input = el("textarea", { class: "copy-value " + (cls || ""), readonly: true, rows: "1", spellcheck: "false",
                               text: value });
  return el("div", { class: "copy-row" }, [input, el("button", {
    type: "button", class: "small copy", text: t("common.copy"), onclick: () => { copyText(input); } })]);
}
function copyText(input) {
  const done = () => { toast(t("common.copied")); };
  input.select();
  if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(input.value).then(done, () => {});
  else if (document.execCommand("copy")) done(); // a studio reached over plain http on the LAN has no clipboard API
}

function hookBlock(c) {
  const url = src.hookUrls[c.platform];
  return el("div", { class: "src-how" }, [
    url ? copyRow(url, "hook-url") : null,
    url ? el("p", { class: "hint", text: t("rundown.src_hook_once") }) : null,
    el("button", { type: "button", class: "small hook",
                   text: t(c.hook_url_set ? "rundown.src_hook_rotate" : "rundown.src_hook_new"),
                   onclick: () => { issueHookUrl(c.platform); } })
  ]);
}
async function issueHookUrl(kind) {
  const r = await api("POST", API + "/sources/" + encodeURIComponent(kind) + "/hook-url");
  if (!r.ok) { toastError(r); return; }
  src.hookUrls[kind] = r.data.url;
  loadSources();
}

function shellArg(s) { return /^[A-Za-z0-9._:\/@=+-]+$/.test(s) ? s : "'" + s.replace(/'/g, "'\\''") + "'"; }
function runBlock(c) {
  const cmd = ["studio source run --platform", c.platform, "--show", shellArg(SHOW)];
  if (c.room) cmd.push("--room", shellArg(c.room));
  cmd.push("--url", shellArg(location.origin), "--token TOKEN");
  const parts = [el("p", { class: "hint", text: t("rundown.src_run") }), copyRow(cmd.join(" "), "run-command")];
  if (c.platform === "douyin" && c.settings.app_id) {
    parts.push(el("p", { class: "hint", text: t("rundown.src_douyin_push") }),
               copyRow(location.origin + "/hooks/douyin/" + encodeURIComponent(c.settings.app_id), "push-url"));
  }
  return el("div", { class: "src-how" }, parts);
}

async function removeSource(c) {
  const key = keyOf(c);
  if (src.armed !== key) { // a receiver's URL dies with its config: one click is too easy
    src.armed = key;
    renderSources();
    setTimeout(() => { if (src.armed === key) { src.armed = null; renderSources(); } }, 4000);
    return;
  }
  src.armed = null;
  const r = await editSources((list) => list.filter((e) => keyOf(e) !== keyOf(c)));
  if (r.ok) { delete src.hookUrls[c.platform]; toast(t("rundown.src_removed")); }
  else toastError(r);
}

// --- the add / edit form, built from the setting specs the server sends
function fillPlatforms() {
  const names = Object.keys(src.platforms);
  const group = (label, list) => {
    return el("optgroup", { label: label }, list.map((p) => {
      return el("option", { value: p, text: platformName(p) });
    }));
  };
  srcForm.elements.platform.replaceChildren(
    group(t("rundown.src_adapters"), names.filter((p) => !isReceiver(p))),
    group(t("rundown.src_receivers"), names.filter(isReceiver)));
  renderFields();
}

function renderFields() {
  const f = srcForm.elements, platform = f.platform.value, c = src.editing || { settings: {}, secrets_set: [] };
  const specs = src.platforms[platform] || {}, main = [], more = [];
  const roomNeeded = KINDS.room_required[platform];
  f.room.closest("label").hidden = isReceiver(platform); // a receiver is one per show and tool
  f.room.required = !!roomNeeded;
  f.room.placeholder = roomNeeded ? fmt("rundown.src_room_needed", { n: roomNeeded }) : "";
  Object.keys(specs).forEach((name) => {
    const spec = specs[name], stored = c.settings[name];
    let input;
    const label = name + (spec.required ? " *" : "");
    if (typeof spec.default === "boolean") {
      input = el("input", { type: "checkbox", name: "s:" + name, checked: stored != null ? !!stored : spec.default });
      input.dataset.default = String(spec.default);
    } else {
      input = el("input", { name: "s:" + name,
                            type: spec.secret ? "password" : typeof spec.default === "number" ? "number" : "text",
                            step: typeof spec.default === "number" ? "any" : null,
                            autocomplete: spec.secret ? "new-password" : "off",
                            placeholder: spec.secret && c.secrets_set.includes(name) ? t("rundown.obs_password_keep")
                              : spec.default != null ? String(spec.default) : "" });
      if (!spec.secret && stored != null) input.value = String(stored);
    }
    input.dataset.secret = spec.secret ? "1" : "";
    const field = el("label", { class: typeof spec.default === "boolean" ? "check" : "" },
                   typeof spec.default === "boolean" ? [input, " " + label] : [label, input]);
    field.appendChild(el("small", { class: "help", text: spec.help }));
    // What has a default is tuning; what has none is what this platform needs from the producer.
    (spec.default == null ? main : more).push(field);
  });
  srcFields.replaceChildren(...main);
  srcMore.replaceChildren(...more);
  $("source-more").hidden = more.length === 0;
}
srcForm.elements.platform.addEventListener("change", renderFields);

function openSourceForm(c) {
  src.editing = c;
  srcForm.reset();
  $("source-form-title").textContent = t(c ? "rundown.src_editing" : "rundown.src_add");
  if (c) {
    srcForm.elements.platform.value = c.platform;
    srcForm.elements.room.value = c.room;
    srcForm.elements.enabled.checked = c.enabled;
  }
  srcForm.elements.platform.disabled = srcForm.elements.room.readOnly = !!c; // a renamed source would lose its secrets
  $("source-msg").textContent = "";
  renderFields();
  if (c) { $("sources-card").open = true; srcForm.scrollIntoView({ block: "nearest" }); }
}
$("source-cancel").addEventListener("click", () => { openSourceForm(null); });

function formEntry() {
  const f = srcForm.elements, settings = {};
  for (const input of srcForm.querySelectorAll("[name^='s:']")) {
    const name = input.name.slice(2);
    if (input.type === "checkbox") {
      if (String(input.checked) !== input.dataset.default) settings[name] = input.checked;
    } else if (input.value.trim()) settings[name] = input.value.trim();
  }
  return { platform: f.platform.value, room: isReceiver(f.platform.value) ? "" : f.room.value.trim(),
           enabled: f.enabled.checked, settings: settings };
}
srcForm.addEventListener("submit", async (e) => {
  e.preventDefault();
  const entry = formEntry();
  $("source-msg").textContent = "…";
  const r = await editSources((list) => list.filter((x) => keyOf(x) !== keyOf(entry)).concat([entry]));
  $("source-msg").textContent = r.ok ? t("rundown.saved") : errorText(r);
  if (r.ok) { openSourceForm(null); $("source-msg").textContent = t("rundown.saved"); }
});

function tickSources() {
  const now = serverNow();
  for (const age of $("sources").querySelectorAll(".age")) {
    const last = parseFloat(age.dataset.lastAt);
    age.textContent = isNaN(last) ? t("common.no_comments")
      : fmt("rundown.src_last", { n: Math.max(0, Math.round(now - last)) });
  }
}

/** Load the sources and keep their "last message n s ago" ticking on the server's clock (now()). */
export function startSources(now) {
  serverNow = now;
  setInterval(tickSources, 1000);
  return loadSources();
}
