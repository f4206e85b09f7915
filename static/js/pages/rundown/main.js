/* Producer's rundown page: the queue (drag or keyboard), the ranking and emerging questions to add from, the
 * catalog with shelf toggles, the OBS mapping form and the show's comment sources with their health.
 * This module wires the live subscription to the sections; each section is its own module. */
import { $ } from "../../lib/dom.js";
import { connectLive, listOf, topicsOf } from "../../lib/live.js";
import { t } from "../../lib/strings.js";
import { SHOW, applyOnAir, changed, on, root, state } from "./state.js";
import "./queue.js";
import "./ranking.js";
import { loadDecisions } from "./review.js";
import { loadCatalog } from "./catalog.js";
import { loadObs, renderObsBadge } from "./obs.js";
import { applySourceHealth, startSources } from "./sources.js";

on("onair", () => {
  const data = state.onair;
  $("show-status").className = "status " + data.show.status;
  $("show-status").textContent = t("status." + data.show.status, data.show.status);
  $("onair-now").textContent = data.current ? data.current.question : "—";
});

const client = connectLive({
  show: SHOW,
  topics: topicsOf(root),
  onState(topic, data) {
    if (topic === "onair") applyOnAir(data);
    else if (topic === "ranking") { state.ranking = listOf(data); changed("ranking"); }
    else if (topic === "emerging") { state.emerging = listOf(data); changed("emerging"); }
    else if (topic === "shelf") { state.shelf = listOf(data); changed("shelf"); }
    else if (topic === "review") { state.review = listOf(data); changed("review"); }
    else if (topic === "health") { renderObsBadge(data && data.obs); applySourceHealth(data && data.sources); }
  },
  onStatus(s) { $("banner").hidden = s === "live"; },
});

loadObs();
startSources(client.now);
loadCatalog();
loadDecisions();
