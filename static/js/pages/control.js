/* The control room (/control): every live show the viewer works, busiest first, refreshed every 2 s; a squad moves
 * to another show with one action (admins). Numbers come from /api/control, which reads each show's live ranking. */
import { api, toastError } from "../lib/api.js";
import { $, el, toast } from "../lib/dom.js";
import { fmt, loadStrings, t } from "../lib/strings.js";

loadStrings("control-strings");
const ADMIN = document.querySelector(".control-layout").dataset.admin === "yes";
const REFRESH_MS = 2000;
let shows = [];

function ask(a) {
  return el("li", { class: "ask" + (a.trend === "rising" ? " rising" : "") }, [
    el("span", { class: "q", text: (a.number != null ? fmt("common.number", { n: a.number }) + " " : "") + a.question }),
    el("span", { class: "n", text: String(a.count_1m) }),
  ]);
}

function tile(r) {
  const src = r.sources;
  const srcText = src.total ? fmt("control.sources", { ok: src.ok, total: src.total }) : t("control.no_sources");
  const staff = [...r.staff.users, ...r.staff.squads.map((q) => q.name + " (" + q.members.length + ")")];
  return el("article", { class: "room" + (r.burning.length ? " burning" : "") + (r.unanswered_minutes >= 3 ? " waiting" : ""),
                         dataset: { show: r.id } }, [
    el("header", {}, [
      el("h2", { text: r.title }),
      r.status === "live" ? null : el("span", { class: "tag not-started", text: t("control.not_started") }),
      el("a", { href: "/console/" + encodeURIComponent(r.id), text: t("control.open") }),
    ]),
    el("div", { class: "figures" }, [
      el("div", { class: "fig rate" }, [el("b", { text: String(r.comment_rate) }), el("span", { text: t("control.rate") })]),
      el("div", { class: "fig unanswered" + (r.unanswered_minutes >= 3 ? " alarm" : "") }, r.on_air
        ? [el("span", { text: t("control.answering") }), el("b", { class: "onair", text: r.on_air })]
        : [el("b", { text: fmt("control.unanswered", { n: r.unanswered_minutes }) })]),
      el("div", { class: "fig sources" + (src.ok < src.total ? " alarm" : "") }, [el("span", { text: srcText })]),
    ]),
    r.burning.length ? el("p", { class: "burning-line" }, [
      el("span", { class: "tag", text: t("control.burning") }),
      el("span", { text: r.burning.map((b) => b.question).join(" · ") }),
    ]) : null,
    el("h3", { text: t("control.top_asks") }),
    r.top_asks.length ? el("ol", { class: "asks" }, r.top_asks.map(ask)) : el("p", { class: "muted", text: t("control.quiet") }),
    el("p", { class: "staff muted", text: t("control.staff") + ": " + (staff.join("、") || "—") }),
  ].filter(Boolean));
}

function squadRow(q) {
  const where = shows.find((s) => s.id === q.show);
  const children = [
    el("b", { text: q.name }),
    el("span", { class: "muted", text: q.members.join("、") }),
    el("span", { class: "at", text: where ? where.title : t("control.nowhere") }),
  ];
  if (ADMIN) {
    const select = el("select", { "aria-label": t("control.move") + " " + q.name },
      [el("option", { value: "", text: t("control.move") + "…" }),
       ...shows.filter((s) => s.id !== q.show).map((s) => el("option", { value: s.id, text: s.title }))]);
    select.addEventListener("change", () => { if (select.value) move(q.name, select.value); });
    children.push(select);
  }
  return el("li", { class: "squad", dataset: { squad: q.name } }, children);
}

async function move(name, show) {
  const r = await api("POST", "/api/squads/" + encodeURIComponent(name) + "/move", { show });
  if (!r.ok) { toastError(r); return; }
  const target = shows.find((s) => s.id === show);
  toast(fmt("control.moved", { squad: name, show: target ? target.title : show }));
  refresh();
}

async function refresh() {
  const r = await api("GET", "/api/control");
  if (!r.ok) return;
  shows = r.data.shows;
  $("rooms").replaceChildren(...shows.map(tile));
  $("squads").replaceChildren(...r.data.squads.map(squadRow));
  $("none").hidden = shows.length > 0;
  $("count").textContent = fmt("control.live_shows", { n: shows.length });
  $("clock").textContent = new Date(r.data.at * 1000).toLocaleTimeString();
}

refresh();
setInterval(refresh, REFRESH_MS);
