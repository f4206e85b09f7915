/* Host console: the ranking, the queue and the on-air card, driven by /live snapshots; actions over the HTTP API.
 * Every action carries `if_current` (what this screen believes is on air): when two people act at once the
 * second gets 409 plus the winning state, so every console converges on one truth. */
(function () {
  "use strict";
  var L = window.Live, el = L.el, listOf = L.listOf;
  var SHOW = document.body.dataset.show;
  var API = "/api/shows/" + encodeURIComponent(SHOW);
  var S = JSON.parse(document.getElementById("console-strings").textContent);
  var state = { onair: null, ranking: [], shelf: {}, health: null };
  var chain = Promise.resolve(); // this console's actions go out one after the other
  var $ = function (id) { return document.getElementById(id); };
  var fmt = function (key, n) { return (S[key] || key).replace("{n}", n); };

  var client = L.LiveClient({
    show: SHOW,
    topics: document.body.dataset.topics.split(",").filter(Boolean),
    onState: function (topic, data) {
      if (topic === "onair") applyOnAir(data);
      else if (topic === "ranking") { state.ranking = listOf(data); renderRanking(); }
      else if (topic === "health") { state.health = data; renderHealth(); }
      else if (topic === "shelf") { indexShelf(data); renderRanking(); }
    },
    onStatus: function (s) {
      $("banner").hidden = s === "live";
      $("conn").className = "conn " + s;
    }
  });

  function indexShelf(data) {
    state.shelf = {};
    listOf(data).forEach(function (i) { state.shelf[i.slug] = i; });
  }

  function currentSlug() { return state.onair && state.onair.current ? state.onair.current.slug : null; }

  function applyOnAir(data) {
    if (!data) return;
    if (state.onair && data.revision < state.onair.revision) return; // older than what is on screen
    state.onair = data;
    renderShow();
    renderOnAir();
    renderQueue();
    renderSegments();
    renderRanking();
  }

  // ------------------------------------------------------------------ actions
  function act(path, body) {
    chain = chain.then(function () {
      return L.api("POST", API + path, typeof body === "function" ? body() : body).then(function (r) {
        if (r.ok) applyOnAir(r.data);
        else {
          if (r.data && r.data.state) applyOnAir(r.data.state);
          L.toastError(r);
        }
      });
    });
    return chain;
  }
  function answer(slug) {
    if (slug) act("/on-air", function () { return { slug: slug, if_current: currentSlug() }; });
  }
  function nextInQueue() { act("/on-air/next", function () { return { if_current: currentSlug() }; }); }
  function endAnswer() {
    if (currentSlug()) act("/on-air", function () { return { slug: null, if_current: currentSlug() }; });
  }

  var endArmed = null;
  $("end-show").addEventListener("click", function () {
    if (!endArmed) { // ending the show is rare and final: one extra press instead of a blocking dialog
      $("end-show").textContent = S["console.confirm_end"];
      endArmed = setTimeout(function () { endArmed = null; $("end-show").textContent = S["console.end_show"]; }, 3000);
      return;
    }
    clearTimeout(endArmed);
    endArmed = null;
    $("end-show").textContent = S["console.end_show"];
    act("/end");
  });
  $("start-show").addEventListener("click", function () { act("/start"); });
  $("end-answer").addEventListener("click", endAnswer);
  $("next").addEventListener("click", nextInQueue);

  document.addEventListener("keydown", function (e) {
    if (e.repeat || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.target.closest && e.target.closest("input, textarea, select, [contenteditable]")) return;
    var digit = /^(?:Digit|Numpad)([1-9])$/.exec(e.code);
    if (digit) {
      var i = +digit[1] - 1;
      var list = e.shiftKey ? (state.onair ? state.onair.rundown : []) : rankedItems();
      if (list[i]) { answer(list[i].slug); flash(e.shiftKey ? "queue" : "ranking", i); }
    } else if (e.key === "n" || e.key === "N") {
      nextInQueue();
    } else if (e.key === "e" || e.key === "E" || e.key === "Escape") {
      endAnswer();
    } else {
      return;
    }
    e.preventDefault();
  });

  function flash(listId, i) {
    var row = $(listId).children[i];
    if (!row) return;
    row.classList.remove("pressed");
    void row.offsetWidth; // restart the animation
    row.classList.add("pressed");
  }

  // ------------------------------------------------------------------ rendering
  function describe(slug, fallback) {
    var s = state.shelf[slug] || {};
    return {
      number: fallback && fallback.number != null ? fallback.number : s.number,
      question: (fallback && fallback.question) || s.question || slug
    };
  }
  function numberTag(n) { return el("span", { class: "num", text: n != null ? fmt("console.link", n) : "—" }); }

  function rankedItems() { return state.ranking.slice(0, 9); }

  function renderRanking() {
    var onAir = currentSlug();
    var rows = state.ranking.slice(0, 12).map(function (r, i) {
      var d = describe(r.slug, r);
      var samples = L.sampleTexts(r.samples, 2).map(function (text) { return el("li", { text: text }); });
      var trend = { rising: "▲", falling: "▼" }[r.trend] || "–";
      return el("li", {
        class: "rank-row" + (r.slug === onAir ? " on-air" : "") + (r.cooldown > 0 ? " cooling" : ""),
        dataset: { slug: r.slug }, onclick: function () { answer(r.slug); }
      }, [
        el("kbd", { class: "key", text: i < 9 ? String(i + 1) : "" }),
        el("div", { class: "rank-main" }, [
          el("div", { class: "rank-title" }, [numberTag(d.number), el("span", { class: "q", text: d.question })]),
          el("ul", { class: "samples" }, samples)
        ]),
        el("div", { class: "rank-figures" }, [
          el("span", { class: "trend " + (r.trend || "steady"), text: trend }),
          el("span", { class: "askers", text: fmt("console.askers", r.askers != null ? r.askers : 0) }),
          r.slug === onAir ? el("span", { class: "badge live", text: S["console.on_air_now"] })
            : r.cooldown > 0 ? el("span", { class: "badge", text: S["console.cooldown"] }) : null
        ])
      ]);
    });
    $("ranking").replaceChildren.apply($("ranking"), rows);
    $("ranking-empty").hidden = rows.length > 0;
  }

  function renderShow() {
    var show = state.onair.show;
    $("show-status").className = "status " + show.status;
    $("show-status").textContent = S["status." + show.status] || show.status;
    $("show-title").textContent = show.title;
    $("start-show").hidden = show.status === "live";
    $("end-show").hidden = show.status !== "live";
  }

  function renderOnAir() {
    var cur = state.onair.current;
    $("onair").classList.toggle("idle", !cur);
    $("onair-number").textContent = cur && cur.number != null ? fmt("console.link", cur.number) : "";
    $("onair-question").textContent = cur ? cur.question : S["console.idle"];
    $("onair-answer").textContent = cur ? cur.answer : S["console.idle_hint"];
    $("end-answer").disabled = !cur;
    var up = state.onair.up_next[0];
    $("next-preview").textContent = up ? "· " + up.question : "";
    $("next").disabled = !up;
    tick();
  }

  function renderQueue() {
    var rows = state.onair.rundown.map(function (q, i) {
      return el("li", { class: "queue-row" + (q.slug === currentSlug() ? " on-air" : ""), dataset: { slug: q.slug } }, [
        el("kbd", { class: "key", text: i < 9 ? "⇧" + (i + 1) : "" }),
        numberTag(q.number),
        el("span", { class: "q", text: q.question }),
        el("button", { class: "small", type: "button", text: S["console.answer"], onclick: function () { answer(q.slug); } })
      ]);
    });
    $("queue").replaceChildren.apply($("queue"), rows);
    $("queue-empty").hidden = rows.length > 0;
  }

  function renderSegments() {
    var rows = state.onair.segments.map(function (s) {
      var dur = s.ended_at ? L.fmtDuration(s.ended_at - s.started_at) : S["console.on_air_now"];
      return el("li", { class: s.ended_at ? "" : "on-air" }, [
        numberTag(s.number), el("span", { class: "q", text: s.question }), el("span", { class: "dur", text: dur })
      ]);
    });
    $("segments").replaceChildren.apply($("segments"), rows);
  }

  function healthRow(name, lastAt, detail, status, error) {
    return el("li", { dataset: { lastAt: lastAt || "", state: status || "" }, title: error || "" }, [
      el("span", { class: "dot" }), el("span", { class: "name", text: name }), el("span", { class: "age" }),
      el("span", { class: "rate", text: detail })
    ]);
  }
  function renderHealth() {
    var h = state.health || {};
    var rate = function (n) { return n != null ? fmt("console.per_minute", Math.round(n)) : ""; };
    var rows = (h.sources || []).map(function (src) { // platform connections: down is red whatever the age
      var up = src.connected && src.state !== "silent";
      return healthRow([src.platform, src.room].filter(Boolean).join(" · "), src.last_message_at,
                       up ? rate(src.per_minute) : src.state, up ? "" : "down", src.last_error);
    }).concat((h.inputs || []).map(function (i) {
      return healthRow([i.platform, i.source].filter(Boolean).join(" · "), i.last_at, rate(i.per_minute));
    }));
    if (!rows.length) rows = [el("li", { class: "muted", text: S["console.no_inputs"] })];
    // The studio's own trouble (database or Redis away) comes first, in red, with what it means for the show.
    rows = (h.problems || []).map(function (p) {
      return el("li", { class: "dead", dataset: { problem: "1" }, title: p.message }, [
        el("span", { class: "dot" }), el("span", { class: "name", text: p.part }), el("span", { class: "rate", text: p.message })
      ]);
    }).concat(rows);
    $("inputs").replaceChildren.apply($("inputs"), rows);
    var obs = h.obs;
    var box = $("obs");
    box.className = "obs " + (!obs ? "none" : obs.connected ? "ok" : "bad");
    var label = !obs ? S["console.obs_none"] : obs.connected ? S["console.obs_on"] + (obs.obs_version ? " · " + obs.obs_version : "")
      : S["console.obs_off"];
    box.replaceChildren(el("span", { class: "dot" }), el("span", { text: label }));
    if (obs && obs.last_error) box.appendChild(el("div", { class: "err", text: obs.last_error }));
    tick();
  }

  function tick() {
    var now = client.now();
    var cur = state.onair && state.onair.current;
    $("timer").textContent = cur ? L.fmtDuration(now - cur.started_at) : "00:00";
    $("clock").textContent = new Date(now * 1000).toLocaleTimeString("zh-CN", { hour12: false });
    Array.prototype.forEach.call($("inputs").children, function (li) {
      var last = parseFloat(li.dataset.lastAt);
      var age = li.querySelector(".age");
      if (!age || li.dataset.problem) return;
      var secs = isNaN(last) ? null : Math.max(0, Math.round(now - last));
      age.textContent = secs === null ? S["console.never"] : fmt("console.ago", secs);
      li.className = li.dataset.state === "down" || secs > 120 ? "dead" : secs === null || secs > 30 ? "stale" : "fresh";
    });
  }
  setInterval(tick, 250);
})();
