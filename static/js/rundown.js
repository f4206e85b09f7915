/* Producer's rundown page: the queue (drag or keyboard), the ranking and emerging questions to add from, the
 * catalog with shelf toggles, the OBS mapping form and the show's comment sources with their health.
 * Rundown edits are operations on the list: when someone else changed it first (409), the operation is re-applied
 * to their version instead of overwriting it. */
(function () {
  "use strict";
  var L = window.Live, el = L.el, listOf = L.listOf;
  var root = document.querySelector(".rundown-grid");
  var SHOW = root.dataset.show;
  var API = "/api/shows/" + encodeURIComponent(SHOW);
  var S = JSON.parse(document.getElementById("rundown-strings").textContent);
  var $ = function (id) { return document.getElementById(id); };
  var fmt = function (key, n) { return (S[key] || key).replace("{n}", n); };
  var state = { onair: null, ranking: [], emerging: [], shelf: [], catalog: [] };
  var chain = Promise.resolve();
  var focusSlug = null; // keep keyboard focus on the row that moved

  var client = L.LiveClient({
    show: SHOW,
    topics: root.dataset.topics.split(",").filter(Boolean),
    onState: function (topic, data) {
      if (topic === "onair") applyOnAir(data);
      else if (topic === "ranking") { state.ranking = listOf(data); renderRanking(); }
      else if (topic === "emerging") { state.emerging = listOf(data); renderEmerging(); }
      else if (topic === "shelf") { state.shelf = listOf(data); renderCatalog(); renderQueue(); }
      else if (topic === "health") { renderObsBadge(data && data.obs); applySourceHealth(data && data.sources); }
    },
    onStatus: function (s) { $("banner").hidden = s === "live"; }
  });

  function queued() { return state.onair ? state.onair.rundown.map(function (q) { return q.slug; }) : []; }
  function shelfEntry(slug) {
    for (var i = 0; i < state.shelf.length; i++) if (state.shelf[i].slug === slug) return state.shelf[i];
    return null;
  }
  function itemInfo(slug, given) {
    var s = shelfEntry(slug) || {};
    var c = state.catalog.filter(function (x) { return x.slug === slug; })[0] || {};
    return { question: (given && given.question) || s.question || c.question || slug,
             number: given && given.number != null ? given.number : s.number };
  }
  function numberTag(n) { return el("span", { class: "num", text: n != null ? n + "号" : "—" }); }

  function applyOnAir(data) {
    if (!data || (state.onair && data.revision < state.onair.revision)) return;
    state.onair = data;
    $("show-status").className = "status " + data.show.status;
    $("show-status").textContent = S["status." + data.show.status] || data.show.status;
    $("onair-now").textContent = data.current ? data.current.question : "—";
    renderQueue();
    renderRanking();
    renderCatalog();
  }

  // ------------------------------------------------------------------ rundown edits
  function editRundown(op) {
    chain = chain.then(function () {
      if (!state.onair) return null;
      return putRundown(op(queued()), state.onair.revision).then(function (r) {
        if (r.status !== 409 || !r.data || !r.data.state) return r;
        applyOnAir(r.data.state);
        L.toast(S["rundown.conflict"]);
        return putRundown(op(queued()), state.onair.revision);
      }).then(function (r) {
        if (r && !r.ok) { L.toastError(r); renderQueue(); }
      });
    });
    return chain;
  }
  function putRundown(slugs, revision) {
    return L.api("PUT", API + "/rundown", { items: slugs, revision: revision }).then(function (r) {
      if (r.ok) applyOnAir(r.data);
      return r;
    });
  }
  var addToQueue = function (slug) {
    return editRundown(function (list) { return list.indexOf(slug) >= 0 ? list : list.concat([slug]); });
  };
  var removeFromQueue = function (slug) {
    return editRundown(function (list) { return list.filter(function (x) { return x !== slug; }); });
  };
  function moveTo(slug, index) {
    focusSlug = slug;
    return editRundown(function (list) {
      var rest = list.filter(function (x) { return x !== slug; });
      if (rest.length === list.length) return list; // removed meanwhile by someone else
      index = Math.max(0, Math.min(rest.length, index));
      return rest.slice(0, index).concat([slug], rest.slice(index));
    });
  }

  // ------------------------------------------------------------------ queue
  function renderQueue() {
    if (!state.onair) return;
    var rows = state.onair.rundown.map(function (q, i) {
      return el("li", { class: "queue-row", tabindex: "0", dataset: { slug: q.slug } }, [
        el("span", { class: "handle", title: "drag", text: "⠿" }),
        el("span", { class: "pos", text: String(i + 1) }),
        numberTag(q.number),
        el("span", { class: "q", text: q.question }),
        el("button", { type: "button", class: "icon", title: S["rundown.up"], text: "↑", disabled: i === 0,
                       onclick: function () { moveTo(q.slug, i - 1); } }),
        el("button", { type: "button", class: "icon", title: S["rundown.down"], text: "↓",
                       disabled: i === state.onair.rundown.length - 1, onclick: function () { moveTo(q.slug, i + 1); } }),
        el("button", { type: "button", class: "icon danger", title: S["rundown.remove"], text: "✕",
                       onclick: function () { removeFromQueue(q.slug); } })
      ]);
    });
    $("queue").replaceChildren.apply($("queue"), rows);
    $("queue-empty").hidden = rows.length > 0;
    if (focusSlug) {
      var row = $("queue").querySelector('li[data-slug="' + CSS.escape(focusSlug) + '"]');
      if (row) row.focus();
      focusSlug = null;
    }
  }

  $("queue").addEventListener("keydown", function (e) {
    var row = e.target.closest("li.queue-row");
    if (!row || e.target !== row) return;
    var rows = Array.prototype.slice.call($("queue").children);
    var i = rows.indexOf(row), slug = row.dataset.slug;
    if (e.altKey && e.key === "ArrowUp") moveTo(slug, i - 1);
    else if (e.altKey && e.key === "ArrowDown") moveTo(slug, i + 1);
    else if (e.key === "ArrowUp" && rows[i - 1]) rows[i - 1].focus();
    else if (e.key === "ArrowDown" && rows[i + 1]) rows[i + 1].focus();
    else if (e.key === "Delete" || e.key === "Backspace") {
      var neighbour = rows[i + 1] || rows[i - 1];
      focusSlug = neighbour ? neighbour.dataset.slug : null;
      removeFromQueue(slug);
    } else return;
    e.preventDefault();
  });

  Sortable.create($("queue"), {
    handle: ".handle", animation: 150,
    onEnd: function (evt) { if (evt.oldIndex !== evt.newIndex) moveTo(evt.item.dataset.slug, evt.newIndex); }
  });

  // ------------------------------------------------------------------ ranking and emerging
  function addButton(slug) {
    var inQueue = queued().indexOf(slug) >= 0;
    return el("button", { type: "button", class: "small", disabled: inQueue,
                          text: inQueue ? S["rundown.queued"] : "+ " + S["rundown.add"],
                          onclick: function () { addToQueue(slug); } });
  }

  function renderRanking() {
    var rows = state.ranking.slice(0, 12).map(function (r) {
      var info = itemInfo(r.slug, r);
      var trend = { rising: "▲", falling: "▼" }[r.trend] || "–";
      return el("li", { class: "row", dataset: { slug: r.slug } }, [
        numberTag(info.number), el("span", { class: "q", text: info.question }),
        el("span", { class: "trend " + (r.trend || ""), text: trend }),
        el("span", { class: "muted", text: fmt("rundown.askers", r.askers || 0) }),
        addButton(r.slug)
      ]);
    });
    $("ranking").replaceChildren.apply($("ranking"), rows);
    $("ranking-empty").hidden = rows.length > 0;
  }

  function renderEmerging() {
    var rows = state.emerging.slice(0, 10).map(function (c) {
      return el("li", { class: "cluster" }, [
        el("div", { class: "row" }, [
          el("span", { class: "q", text: c.question }),
          el("span", { class: "muted", text: fmt("rundown.askers", c.askers || 0) }),
          el("button", { type: "button", class: "small primary", text: S["rundown.make_item"],
                         onclick: function () { openNewItem(c); } })
        ]),
        el("ul", { class: "samples" }, L.sampleTexts(c.samples, 3).map(function (text) {
          return el("li", { text: text });
        }))
      ]);
    });
    $("emerging").replaceChildren.apply($("emerging"), rows);
    $("emerging-empty").hidden = rows.length > 0;
  }

  // ------------------------------------------------------------------ catalog and shelf
  function loadCatalog() {
    return L.api("GET", "/api/faq").then(function (r) {
      if (r.ok) { state.catalog = r.data.items.filter(function (i) { return i.status !== "archived"; }); renderCatalog(); }
    });
  }

  function renderCatalog() {
    var needle = $("search").value.trim().toLowerCase();
    var rows = state.catalog.filter(function (i) {
      return !needle || (i.question + " " + i.slug + " " + (i.keywords || []).join(" ")).toLowerCase().indexOf(needle) >= 0;
    }).slice(0, 200).map(function (i) {
      var entry = shelfEntry(i.slug);
      return el("li", { class: "row", dataset: { slug: i.slug } }, [
        numberTag(entry ? entry.number : null), el("span", { class: "q", text: i.question }),
        el("button", { type: "button", class: "small shelf-toggle" + (entry ? " on" : ""),
                       text: entry ? S["rundown.shelf_off"] : S["rundown.shelf_on"],
                       onclick: function () { toggleShelf(i, !entry); } }),
        addButton(i.slug)
      ]);
    });
    $("catalog").replaceChildren.apply($("catalog"), rows);
  }
  $("search").addEventListener("input", renderCatalog);

  function toggleShelf(item, on) {
    var entries = state.shelf.map(function (e) { return { slug: e.slug, number: e.number }; });
    if (on) {
      var used = entries.map(function (e) { return e.number; });
      var n = item.number && used.indexOf(item.number) < 0 ? item.number : Math.max.apply(null, used.concat([0])) + 1;
      entries.push({ slug: item.slug, number: n });
    } else {
      entries = entries.filter(function (e) { return e.slug !== item.slug; });
    }
    return L.api("PUT", API + "/shelf", { items: entries }).then(function (r) {
      if (r.ok) { state.shelf = r.data.items; renderCatalog(); renderQueue(); }
      else L.toastError(r);
    });
  }

  // ------------------------------------------------------------------ new item from an emerging question
  var dialog = $("new-item"), itemForm = $("new-item-form");
  function openNewItem(cluster) {
    var d = cluster.draft || {};
    itemForm.reset();
    itemForm.elements.question.value = d.question || cluster.question || "";
    itemForm.elements.slug.value = d.slug || "";
    itemForm.elements.keywords.value = (d.keywords || cluster.keywords || []).join("|");
    itemForm.elements.examples.value = (d.examples || L.sampleTexts(cluster.samples, 10)).join("\n");
    $("new-item-error").hidden = true;
    var q = new URLSearchParams({ "new": "1", slug: itemForm.elements.slug.value, question: itemForm.elements.question.value,
                                  keywords: itemForm.elements.keywords.value });
    $("new-item-full").href = "/producer/catalog?" + q.toString();
    dialog.showModal();
  }
  $("new-item-cancel").addEventListener("click", function () { dialog.close(); });
  itemForm.addEventListener("submit", function (e) {
    e.preventDefault();
    var f = itemForm.elements;
    var body = {
      slug: f.slug.value.trim(), question: f.question.value.trim(), answer: f.answer.value.trim(),
      keywords: f.keywords.value.split("|").map(function (s) { return s.trim(); }).filter(Boolean),
      examples: f.examples.value.split("\n").map(function (s) { return s.trim(); }).filter(Boolean),
      status: f.shelf.checked ? "on_shelf" : "draft"
    };
    var alsoShelf = f.shelf.checked, alsoQueue = f.queue.checked;
    L.api("POST", "/api/faq", body).then(function (r) {
      if (!r.ok) { $("new-item-error").textContent = L.errorText(r); $("new-item-error").hidden = false; return; }
      dialog.close();
      L.toast(fmt("rundown.created", r.data.question));
      loadCatalog().then(function () {
        if (alsoShelf) toggleShelf(r.data, true);
        if (alsoQueue) addToQueue(r.data.slug);
      });
    });
  });

  // ------------------------------------------------------------------ OBS mapping
  var obsForm = $("obs-form");
  var OBS_FIELDS = ["host", "port", "question_input", "answer_input", "scene", "scene_item", "on_air_scene"];
  function obsBody() {
    var body = {};
    OBS_FIELDS.forEach(function (k) { body[k] = obsForm.elements[k].value.trim() || null; });
    body.port = parseInt(body.port, 10) || 4455;
    if (obsForm.elements.password.value) body.password = obsForm.elements.password.value;
    return body;
  }
  function fillObs(m) {
    OBS_FIELDS.forEach(function (k) { obsForm.elements[k].value = m[k] == null ? "" : m[k]; });
    obsForm.elements.password.value = "";
    obsForm.elements.password.placeholder = m.password_set ? obsForm.elements.password.dataset.keep : "";
    renderObsBadge(m.configured ? m : null);
  }
  function renderObsBadge(obs) {
    var badge = $("obs-state");
    badge.className = "badge " + (!obs ? "" : obs.connected ? "ok" : "bad");
    badge.textContent = !obs ? "" : obs.connected ? S["rundown.obs_connected"] : S["rundown.obs_disconnected"];
    badge.title = obs && obs.last_error ? obs.last_error : "";
  }
  function fillList(id, names) {
    $(id).replaceChildren.apply($(id), names.map(function (n) { return el("option", { value: n }); }));
  }
  L.api("GET", API + "/obs").then(function (r) { if (r.ok) fillObs(r.data); });
  obsForm.addEventListener("submit", function (e) {
    e.preventDefault();
    L.api("PUT", API + "/obs", obsBody()).then(function (r) {
      $("obs-msg").textContent = r.ok ? S["rundown.saved"] : L.errorText(r);
      if (r.ok) fillObs(r.data);
    });
  });
  $("obs-test").addEventListener("click", function () {
    $("obs-msg").textContent = "…";
    L.api("POST", API + "/obs/test", obsBody()).then(function (r) {
      var d = r.data || {};
      fillList("obs-scenes", d.scenes || []);
      fillList("obs-inputs", (d.inputs || []).map(function (i) { return i.name; }).concat(d.scenes || []));
      var found = (d.scenes || []).length + (d.inputs || []).length;
      $("obs-msg").textContent = d.error || (r.ok ? fmt("rundown.obs_found", found) : "HTTP " + r.status);
    });
  });

  // ------------------------------------------------------------------ comment sources
  // Edits replace the whole list (PUT): the list is fetched fresh first so a colleague's change is not undone,
  // and secrets are never sent back (the server keeps those an edit leaves out).
  var KINDS = JSON.parse($("source-kinds").textContent);
  var srcForm = $("source-form"), srcFields = $("source-fields"), srcMore = $("source-more-fields");
  var src = { configs: [], health: [], platforms: {}, hookUrls: {}, editing: null, armed: null };
  var isReceiver = function (p) { return KINDS.receivers.indexOf(p) >= 0; };
  var platformName = function (p) { return S["rundown.src_p_" + p] || p; };
  var keyOf = function (c) { return c.platform + "\u001f" + (c.room || ""); };

  function loadSources() {
    return L.api("GET", API + "/sources").then(function (r) {
      if (!r.ok) { $("source-msg").textContent = L.errorText(r); return r; }
      var first = !Object.keys(src.platforms).length;
      src.configs = r.data.sources; src.health = r.data.health; src.platforms = r.data.platforms;
      if (first) fillPlatforms();
      renderSources();
      return r;
    });
  }
  function applySourceHealth(list) {
    if (!list) return;
    src.health = list;
    renderSources();
  }
  function editSources(op) {
    return loadSources().then(function (r) {
      if (!r.ok) return r;
      var entries = op(src.configs.map(function (c) {
        return { platform: c.platform, room: c.room, enabled: c.enabled, settings: c.settings || {} };
      }));
      return L.api("PUT", API + "/sources", { sources: entries }).then(function (w) {
        if (w.ok) { src.configs = w.data.sources; renderSources(); }
        return w;
      });
    });
  }

  function renderSources() {
    var health = {};
    src.health.forEach(function (h) { health[keyOf(h)] = h; });
    var rows = src.configs.map(function (c) { return sourceRow(c, health[keyOf(c)]); });
    var configured = {};
    src.configs.forEach(function (c) { configured[keyOf(c)] = true; });
    src.health.forEach(function (h) { // an adapter may run on settings from its environment; a receiver needs a config
      if (!configured[keyOf(h)] && !isReceiver(h.platform)) rows.push(sourceRow(null, h));
    });
    $("sources").replaceChildren.apply($("sources"), rows);
    $("sources-empty").hidden = rows.length > 0;
    var all = src.configs.map(function (c) { return health[keyOf(c)]; });
    var up = all.filter(function (h) { return h && h.connected; }).length;
    var broken = all.some(function (h) { return h && (h.state === "failed" || h.state === "silent" || h.stale); });
    var badge = $("sources-state");
    badge.className = "badge " + (broken ? "bad" : all.length && up === all.length ? "ok" : "");
    badge.textContent = all.length ? fmt("rundown.sources_connected", up + "/" + all.length) : "";
    tickSources();
  }

  function stateOf(c, h) {
    if (!h) return { cls: "idle", text: isReceiver(c.platform) ? S["rundown.src_waiting"] : S["rundown.src_not_running"] };
    if (h.stale) return { cls: "bad", text: S["rundown.src_stale"] };
    var cls = h.state === "failed" || h.state === "silent" ? "bad" : h.connected ? "ok" : "idle";
    return { cls: cls, text: S["rundown.src_state_" + h.state] || h.state };
  }

  function sourceRow(c, h) {
    var base = c || h, receiver = isReceiver(base.platform), st = stateOf(base, h);
    var stats = [el("span", { class: "age", dataset: { lastAt: h && h.last_message_at ? h.last_message_at : "" } })];
    if (h && h.per_minute != null) stats.push(el("span", { text: fmt("rundown.src_rate", Math.round(h.per_minute)) }));
    if (h && h.received != null) stats.push(el("span", { class: "received", text: fmt("rundown.src_received", h.received) }));
    if (c && c.secrets_set.length) stats.push(el("span", { text: fmt("rundown.src_secrets", c.secrets_set.join(", ")) }));
    return el("li", { class: "source-row", dataset: { platform: base.platform, room: base.room || "", state: st.cls } }, [
      el("div", { class: "src-head" }, [
        el("span", { class: "dot" }),
        el("span", { class: "name", text: [platformName(base.platform), base.room].filter(Boolean).join(" · ") }),
        el("span", { class: "badge state " + st.cls, text: st.text }),
        c && !c.enabled ? el("span", { class: "badge", text: S["rundown.src_disabled"] }) : null,
        el("span", { class: "spacer" }),
        c && !receiver ? el("button", { type: "button", class: "small", text: S["rundown.src_edit"],
                                        onclick: function () { openSourceForm(c); } }) : null,
        c ? el("button", { type: "button", class: "icon danger remove", title: S["rundown.remove"],
                           text: src.armed === keyOf(c) ? S["rundown.src_remove_confirm"] : "✕",
                           onclick: function () { removeSource(c); } }) : null
      ]),
      el("div", { class: "src-stats muted" }, stats),
      h && h.last_error ? el("div", { class: "src-error", text: h.last_error }) : null,
      c ? (receiver ? hookBlock(c) : runBlock(c)) : el("div", { class: "muted", text: S["rundown.src_not_saved"] })
    ]);
  }

  function copyRow(value, cls) {
    // A textarea so the whole URL or command is visible, wrapped, before it is copied.
    var input = el("textarea", { class: "copy-value " + (cls || ""), readonly: true, rows: "1", spellcheck: "false",
                                 text: value });
    return el("div", { class: "copy-row" }, [input, el("button", {
      type: "button", class: "small copy", text: S["rundown.src_copy"], onclick: function () { copyText(input); } })]);
  }
  function copyText(input) {
    var done = function () { L.toast(S["rundown.src_copied"]); };
    input.select();
    if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(input.value).then(done, function () {});
    else if (document.execCommand("copy")) done(); // a studio reached over plain http on the LAN has no clipboard API
  }

  function hookBlock(c) {
    var url = src.hookUrls[c.platform];
    return el("div", { class: "src-how" }, [
      url ? copyRow(url, "hook-url") : null,
      url ? el("p", { class: "hint", text: S["rundown.src_hook_once"] }) : null,
      el("button", { type: "button", class: "small hook",
                     text: S[c.hook_url_set ? "rundown.src_hook_rotate" : "rundown.src_hook_new"],
                     onclick: function () { issueHookUrl(c.platform); } })
    ]);
  }
  function issueHookUrl(kind) {
    return L.api("POST", API + "/sources/" + encodeURIComponent(kind) + "/hook-url").then(function (r) {
      if (!r.ok) { L.toastError(r); return; }
      src.hookUrls[kind] = r.data.url;
      loadSources();
    });
  }

  function shellArg(s) { return /^[A-Za-z0-9._:\/@=+-]+$/.test(s) ? s : "'" + s.replace(/'/g, "'\\''") + "'"; }
  function runBlock(c) {
    var cmd = ["studio source run --platform", c.platform, "--show", shellArg(SHOW)];
    if (c.room) cmd.push("--room", shellArg(c.room));
    cmd.push("--url", shellArg(location.origin), "--token TOKEN");
    var parts = [el("p", { class: "hint", text: S["rundown.src_run"] }), copyRow(cmd.join(" "), "run-command")];
    if (c.platform === "douyin" && c.settings.app_id) {
      parts.push(el("p", { class: "hint", text: S["rundown.src_douyin_push"] }),
                 copyRow(location.origin + "/hooks/douyin/" + encodeURIComponent(c.settings.app_id), "push-url"));
    }
    return el("div", { class: "src-how" }, parts);
  }

  function removeSource(c) {
    var key = keyOf(c);
    if (src.armed !== key) { // a receiver's URL dies with its config: one click is too easy
      src.armed = key;
      renderSources();
      setTimeout(function () { if (src.armed === key) { src.armed = null; renderSources(); } }, 4000);
      return;
    }
    src.armed = null;
    editSources(function (list) {
      return list.filter(function (e) { return keyOf(e) !== keyOf(c); });
    }).then(function (r) {
      if (r.ok) { delete src.hookUrls[c.platform]; L.toast(S["rundown.src_removed"]); }
      else L.toastError(r);
    });
  }

  // --- the add / edit form, built from the setting specs the server sends
  function fillPlatforms() {
    var names = Object.keys(src.platforms);
    var group = function (label, list) {
      return el("optgroup", { label: label }, list.map(function (p) {
        return el("option", { value: p, text: platformName(p) });
      }));
    };
    srcForm.elements.platform.replaceChildren(
      group(S["rundown.src_adapters"], names.filter(function (p) { return !isReceiver(p); })),
      group(S["rundown.src_receivers"], names.filter(isReceiver)));
    renderFields();
  }

  function renderFields() {
    var f = srcForm.elements, platform = f.platform.value, c = src.editing || { settings: {}, secrets_set: [] };
    var specs = src.platforms[platform] || {}, main = [], more = [];
    var roomNeeded = KINDS.room_required[platform];
    f.room.closest("label").hidden = isReceiver(platform); // a receiver is one per show and tool
    f.room.required = !!roomNeeded;
    f.room.placeholder = roomNeeded ? fmt("rundown.src_room_needed", roomNeeded) : "";
    Object.keys(specs).forEach(function (name) {
      var spec = specs[name], stored = c.settings[name];
      var input, label = name + (spec.required ? " *" : "");
      if (typeof spec.default === "boolean") {
        input = el("input", { type: "checkbox", name: "s:" + name, checked: stored != null ? !!stored : spec.default });
        input.dataset.default = String(spec.default);
      } else {
        input = el("input", { name: "s:" + name,
                              type: spec.secret ? "password" : typeof spec.default === "number" ? "number" : "text",
                              step: typeof spec.default === "number" ? "any" : null,
                              autocomplete: spec.secret ? "new-password" : "off",
                              placeholder: spec.secret && c.secrets_set.indexOf(name) >= 0 ? S["rundown.obs_password_keep"]
                                : spec.default != null ? String(spec.default) : "" });
        if (!spec.secret && stored != null) input.value = String(stored);
      }
      input.dataset.secret = spec.secret ? "1" : "";
      var field = el("label", { class: typeof spec.default === "boolean" ? "check" : "" },
                     typeof spec.default === "boolean" ? [input, " " + label] : [label, input]);
      field.appendChild(el("small", { class: "help", text: spec.help }));
      // What has a default is tuning; what has none is what this platform needs from the producer.
      (spec.default == null ? main : more).push(field);
    });
    srcFields.replaceChildren.apply(srcFields, main);
    srcMore.replaceChildren.apply(srcMore, more);
    $("source-more").hidden = more.length === 0;
  }
  srcForm.elements.platform.addEventListener("change", renderFields);

  function openSourceForm(c) {
    src.editing = c;
    srcForm.reset();
    $("source-form-title").textContent = S[c ? "rundown.src_editing" : "rundown.src_add"];
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
  $("source-cancel").addEventListener("click", function () { openSourceForm(null); });

  function formEntry() {
    var f = srcForm.elements, settings = {};
    Array.prototype.forEach.call(srcForm.querySelectorAll("[name^='s:']"), function (input) {
      var name = input.name.slice(2);
      if (input.type === "checkbox") {
        if (String(input.checked) !== input.dataset.default) settings[name] = input.checked;
      } else if (input.value.trim()) settings[name] = input.value.trim();
    });
    return { platform: f.platform.value, room: isReceiver(f.platform.value) ? "" : f.room.value.trim(),
             enabled: f.enabled.checked, settings: settings };
  }
  srcForm.addEventListener("submit", function (e) {
    e.preventDefault();
    var entry = formEntry();
    $("source-msg").textContent = "…";
    editSources(function (list) {
      return list.filter(function (x) { return keyOf(x) !== keyOf(entry); }).concat([entry]);
    }).then(function (r) {
      $("source-msg").textContent = r.ok ? S["rundown.saved"] : L.errorText(r);
      if (r.ok) { openSourceForm(null); $("source-msg").textContent = S["rundown.saved"]; }
    });
  });

  function tickSources() {
    var now = client.now();
    Array.prototype.forEach.call($("sources").querySelectorAll(".age"), function (age) {
      var last = parseFloat(age.dataset.lastAt);
      age.textContent = isNaN(last) ? S["rundown.src_never"] : fmt("rundown.src_last", Math.max(0, Math.round(now - last)));
    });
  }
  setInterval(tickSources, 1000);

  loadSources();

  loadCatalog();
})();
