/* The specialist queue (/desk/<show>): the staff-only /live topic "cases", claim and close through the HTTP API.
 * A case unclaimed for 3 minutes (red_at, server time) turns red, counted on the server's clock. */
import { api, toastError } from "../lib/api.js";
import { $, el, toast } from "../lib/dom.js";
import { connectLive } from "../lib/live.js";
import { fmt, fmtDuration, loadStrings, t } from "../lib/strings.js";

loadStrings("desk-strings");
const root = $("desk");
const show = root.dataset.show;
const isAgent = root.dataset.role === "agent" || root.dataset.role === "admin";
let queue = { items: [], closed: [] };
let selected = null;
let live = null;

const clock = (ts) => new Date(ts * 1000).toLocaleTimeString([], { hour12: false });
const reasonText = (code) => t("triage." + code, code);

function caseNode(c, closed) {
  const red = !closed && c.state === "open" && live && live.now() >= c.red_at;
  const age = closed ? clock(c.closed_at || c.created_at) : fmtDuration((live ? live.now() : Date.now() / 1000) - c.created_at);
  const node = el("li", {
    class: `case kind-${c.kind}${red ? " red" : ""}${selected === c.id ? " selected" : ""}`,
    dataset: { id: c.id, state: c.state, red: red ? "1" : "0" },
    onclick: closed ? null : () => select(c.id),
  }, [
    el("div", { class: "line1" }, [el("span", { class: "text", text: c.text }), el("span", { class: "age", text: age })]),
    el("div", { class: "line2" }, [
      el("span", { class: "pill urgency", text: fmt("desk.urgency", { n: c.urgency }) }),
      ...c.reasons.map((r) => el("span", { class: "pill reason", text: reasonText(r) })),
      el("span", { class: `pill state-${c.state}`, text: t("desk.state." + c.state) }),
      c.agent ? el("span", { class: "pill", text: fmt("desk.claimed_by", { name: c.agent }) }) : null,
    ]),
  ]);
  return node;
}

function render() {
  $("cases").replaceChildren(...queue.items.map((c) => caseNode(c, false)));
  $("closed").replaceChildren(...(queue.closed || []).map((c) => caseNode(c, true)));
  $("empty").hidden = queue.items.length > 0;
  $("closed-head").hidden = !(queue.closed || []).length;
  const red = queue.items.filter((c) => c.state === "open" && live && live.now() >= c.red_at).length;
  $("open-count").textContent = fmt("desk.open", { n: queue.items.filter((c) => c.state === "open").length });
  $("red-count").textContent = fmt("desk.red", { n: red });
  $("red-count").hidden = red === 0;
  const current = queue.items.find((c) => c.id === selected);
  if (current) renderButtons(current);
}

function renderButtons(c) {
  const mine = !c.agent || c.agent === root.dataset.me;
  $("do-claim").disabled = !isAgent || c.state !== "open";
  for (const s of ["contacted", "resolved", "not_ours"]) $("do-" + s).disabled = !isAgent || !mine;
}

async function select(id) {
  selected = id;
  render();
  const r = await api("GET", `/api/shows/${encodeURIComponent(show)}/cases/${id}`);
  if (!r.ok) return toastError(r);
  const { case: c, comments, other_cases: others } = r.data;
  $("pick").hidden = true;
  $("case").hidden = false;
  $("case").dataset.id = c.id;
  $("case-text").textContent = c.text;
  $("case-meta").textContent = [fmt("desk.urgency", { n: c.urgency }), ...c.reasons.map(reasonText),
    c.platform, clock(c.comment_ts), c.slug ? fmt("desk.also_item", { item: c.slug }) : ""].filter(Boolean).join(" · ");
  $("viewer-comments").replaceChildren(...comments.map((m) => el("li", { class: m.ts === c.comment_ts && m.text === c.text ? "this" : "" }, [
    el("span", { class: "when", text: clock(m.ts) }), el("span", { class: "text", text: m.text }),
  ])));
  $("others-head").hidden = others.length === 0;
  $("other-cases").replaceChildren(...others.map((o) => el("li", {}, [
    el("span", { class: "when", text: t("desk.state." + o.state) }), el("span", { text: o.text }),
  ])));
  renderButtons(c);
}

async function act(path, body) {
  if (selected === null) return;
  const r = await api("POST", `/api/shows/${encodeURIComponent(show)}/cases/${selected}/${path}`, body);
  if (!r.ok) return toastError(r);
  const c = r.data;
  if (c.state === "resolved" || c.state === "not_ours") {
    selected = null;
    $("case").hidden = true;
    $("pick").hidden = false;
  } else {
    renderButtons(c);
  }
}

$("do-claim").addEventListener("click", () => act("claim"));
for (const s of ["contacted", "resolved", "not_ours"]) $("do-" + s).addEventListener("click", () => act("state", { state: s }));

live = connectLive({
  show,
  topics: ["cases"],
  onState: (topic, data) => {
    if (topic === "cases" && data) {
      queue = data;
      render();
    }
  },
  onStatus: (status) => { $("conn").className = "conn " + status; },
});
const movedFrom = new URLSearchParams(location.search).get("from");
if (movedFrom) toast(fmt("desk.moved", { name: movedFrom }));

// The agent's squad moved to another show: the desk follows it (the cases held here went back to this show's queue).
live.socket.on("assignment", (msg) => {
  if (msg && msg.from === show && msg.show !== show) {
    location.assign(msg.show ? `/desk/${encodeURIComponent(msg.show)}?from=${encodeURIComponent(show)}` : "/");
  }
});
setInterval(render, 1000); // ages tick and the 3-minute mark turns red without a push
