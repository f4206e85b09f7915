/* Producer's rundown page: the queue (drag or keyboard), the ranking and emerging questions to add from, the
 * catalog with shelf toggles, and the OBS mapping form. Rundown edits are operations on the list: when someone
 * else changed it first (409), the operation is re-applied to their version instead of overwriting it. */
(function () {
  "use strict";
  var L = window.Live, el = L.el;
  var root = document.querySelector(".rundown-grid");
  var SHOW = root.dataset.show;
  var API = "/api/shows/" + encodeURIComponent(SHOW);
  var S = JSON.parse(document.getElementById("rundown-strings").textContent);
  var $ = function (id) { return document.getElementById(id); };
  var fmt = function (key, n) { return (S[key] || key).replace("{n}", n); };
  var state = { onair: null, ranking: [], emerging: [], shelf: [], catalog: [] };
  var chain = Promise.resolve();
  var focusSlug = null; // keep keyboard focus on the row that moved

  L.LiveClient({
    show: SHOW,
    topics: root.dataset.topics.split(",").filter(Boolean),
    onState: function (topic, data) {
      if (topic === "onair") applyOnAir(data);
      else if (topic === "ranking") { state.ranking = listOf(data); renderRanking(); }
      else if (topic === "emerging") { state.emerging = listOf(data); renderEmerging(); }
      else if (topic === "shelf") { state.shelf = listOf(data); renderCatalog(); renderQueue(); }
      else if (topic === "health") renderObsBadge(data && data.obs);
    },
    onStatus: function (s) { $("banner").hidden = s === "live"; }
  });

  function listOf(data) { return Array.isArray(data) ? data : (data && data.items) || []; }
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
        if (r && !r.ok) { L.toast((r.data && r.data.error) || "HTTP " + r.status); renderQueue(); }
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
      else L.toast((r.data && r.data.error) || "HTTP " + r.status);
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
      if (!r.ok) { $("new-item-error").textContent = (r.data && r.data.error) || "HTTP " + r.status; $("new-item-error").hidden = false; return; }
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
      $("obs-msg").textContent = r.ok ? S["rundown.saved"] : (r.data && r.data.error) || "HTTP " + r.status;
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

  loadCatalog();
})();
