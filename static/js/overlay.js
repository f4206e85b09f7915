/* OBS overlay pages: URL parameters choose the look; /live snapshots (full state on every reconnect) fill it.
 * Text changes land in the DOM at once and are animated with CSS only, so what OBS captures is never behind. */
(function () {
  "use strict";
  var L = window.Live, el = L.el;
  var body = document.body;
  var SHOW = body.dataset.show, KIND = body.dataset.kind;
  var S = JSON.parse(document.getElementById("overlay-strings").textContent);
  var $ = function (id) { return document.getElementById(id); };
  var fmt = function (key, n) { return (S[key] || key).replace("{n}", n); };
  var params = new URLSearchParams(location.search);
  var ROW_HEIGHT = 84; // px, ranking rows: keeps the reorder animation a pure transform

  var THEMES = ["dark", "light", "brand"];
  var POSITIONS = ["bottom-left", "bottom-center", "bottom-right", "top-left", "top-center", "top-right", "center"];

  // ------------------------------------------------------------------ look, from the URL
  function pick(name, allowed, fallback) {
    var v = params.get(name);
    return allowed.indexOf(v) >= 0 ? v : fallback;
  }
  function colour(name) { // hex only: a parameter must never become arbitrary CSS
    var v = (params.get(name) || "").replace(/^#/, "");
    return /^([0-9a-f]{3}|[0-9a-f]{6}|[0-9a-f]{8})$/i.test(v) ? "#" + v : null;
  }
  function number(name, lo, hi, fallback) {
    var v = parseFloat(params.get(name));
    return isFinite(v) ? Math.min(hi, Math.max(lo, v)) : fallback;
  }

  body.classList.remove("theme-dark", "pos-bottom-left");
  body.classList.add("theme-" + pick("theme", THEMES, "dark"), "pos-" + pick("pos", POSITIONS, "bottom-left"));
  if (colour("accent")) body.style.setProperty("--accent", colour("accent"));
  if (colour("text")) { body.style.setProperty("--text", colour("text")); body.classList.add("has-text"); }
  body.style.setProperty("--scale", number("scale", 0.3, 3, 1));
  var rowsWanted = Math.round(number("n", 1, 10, 5));
  if (params.get("parts")) {
    var parts = params.get("parts").split(",");
    Array.prototype.forEach.call(document.querySelectorAll("[data-part]"), function (node) {
      if (parts.indexOf(node.dataset.part) < 0) node.classList.add("part-off");
    });
  }
  if (params.get("bg") === "checker") body.classList.add("checker"); // previews and screenshots only

  // ------------------------------------------------------------------ state
  var onair = null, ranking = [], shelf = {};

  L.LiveClient({
    show: SHOW,
    topics: body.dataset.topics.split(",").filter(Boolean),
    onState: function (topic, data) {
      if (topic === "onair") {
        if (onair && data && data.revision < onair.revision) return;
        onair = data;
      } else if (topic === "ranking") {
        ranking = L.listOf(data);
      } else if (topic === "shelf") {
        shelf = {};
        ((data && data.items) || []).forEach(function (i) { shelf[i.slug] = i; });
      }
      body.classList.remove("waiting");
      render();
    },
    onStatus: function (s) { body.dataset.conn = s; } // never shown: an overlay on air must not show errors
  });

  function render() {
    if (KIND === "on-air") renderOnAir();
    else if (KIND === "next") renderNext();
    else renderRanking();
  }

  function enter(node) { // restart the entrance animation on new content
    node.classList.remove("enter");
    void node.offsetWidth;
    node.classList.add("enter");
  }

  function numberText(n) { return n != null ? fmt("overlay.number", n) : ""; }

  // ------------------------------------------------------------------ on air
  function renderOnAir() {
    var cur = onair && onair.current;
    var card = $("card");
    card.classList.toggle("shown", !!cur);
    if (!cur || card.dataset.slug === cur.slug) return;
    card.dataset.slug = cur.slug;
    $("number").textContent = cur.number != null ? fmt("overlay.number", cur.number) : "";
    $("question").textContent = cur.question;
    $("answer").textContent = cur.answer;
    $("link").textContent = cur.number != null ? fmt("overlay.link", cur.number) : S["overlay.scan"];
    $("qr").src = body.dataset.qrBase + encodeURIComponent(cur.slug) + ".svg";
    enter(card);
  }

  // ------------------------------------------------------------------ now / up next
  function fillLine(prefix, item) {
    $(prefix).classList.toggle("empty", !item);
    var key = item ? item.slug : "";
    if ($(prefix).dataset.slug === key) return;
    $(prefix).dataset.slug = key;
    $(prefix + "-number").textContent = item ? numberText(item.number) : "";
    $(prefix + "-q").textContent = item ? item.question : "";
    if (item) enter($(prefix));
  }
  function renderNext() {
    var cur = onair && onair.current;
    var up = onair && onair.up_next[0];
    fillLine("now", cur);
    fillLine("upnext", up);
    $("card").classList.toggle("shown", !!(cur || up));
  }

  // ------------------------------------------------------------------ ranking
  function renderRanking() {
    var list = $("rows");
    var onAirSlug = onair && onair.current ? onair.current.slug : null;
    var top = ranking.filter(function (r) { return !(r.cooldown > 0) || r.slug === onAirSlug; }).slice(0, rowsWanted);
    var keep = {};
    top.forEach(function (r, i) {
      keep[r.slug] = true;
      var info = shelf[r.slug] || {};
      var row = list.querySelector('li[data-slug="' + CSS.escape(r.slug) + '"]');
      if (!row) {
        row = el("li", { class: "row enter", dataset: { slug: r.slug } }, [
          el("span", { class: "rank" }), el("span", { class: "number" }), el("span", { class: "q" }),
          el("span", { class: "askers" })
        ]);
        list.appendChild(row);
      }
      row.style.transform = "translateY(" + i * ROW_HEIGHT + "px)";
      row.classList.toggle("on-air", r.slug === onAirSlug);
      row.classList.remove("leaving");
      row.children[0].textContent = String(i + 1);
      row.children[1].textContent = numberText(r.number != null ? r.number : info.number);
      row.children[2].textContent = r.question || info.question || r.slug;
      row.children[3].textContent = r.askers ? fmt("overlay.askers", r.askers) : "";
    });
    Array.prototype.forEach.call(list.querySelectorAll("li"), function (row) {
      if (keep[row.dataset.slug] || row.classList.contains("leaving")) return;
      row.classList.add("leaving");
      setTimeout(function () { if (row.classList.contains("leaving")) row.remove(); }, 600);
    });
    list.style.height = top.length * ROW_HEIGHT + "px";
    $("card").classList.toggle("shown", top.length > 0);
  }
})();
