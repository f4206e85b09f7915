/* A solution page: report the view, take the "did this solve it?" vote, record the escalation click
 * before following the link to the one-to-one channel. */
import { sendEvent } from "../lib/viewer-events.js";

const FOLLOW_WAIT_MS = 800;

const page = document.getElementById("page");
if (page) start(page);

function start(page) {
  const base = { slug: page.dataset.slug, show: page.dataset.show };
  const thanks = document.getElementById("thanks");
  const escalate = document.getElementById("escalate");
  const votes = Array.from(document.querySelectorAll(".v-vote"));
  const voteKey = "vote:" + base.slug;
  const report = (type) => sendEvent({ type, ...base });

  function showVote(type) {
    for (const b of votes) b.setAttribute("aria-pressed", String(b.dataset.vote === type));
    thanks.textContent = type === "helpful" ? thanks.dataset.helpful : thanks.dataset.notHelpful;
    thanks.hidden = false;
    if (escalate) escalate.classList.toggle("urge", type === "not_helpful");
  }

  // The latest vote wins on the server, so votes go one after another: parallel requests could arrive reordered.
  let voteSent = Promise.resolve();
  for (const button of votes) {
    button.addEventListener("click", () => {
      const type = button.dataset.vote;
      showVote(type);
      try { localStorage.setItem(voteKey, type); } catch (e) { /* private mode */ }
      voteSent = voteSent.then(() => report(type));
    });
  }

  if (escalate) {
    escalate.addEventListener("click", (e) => {
      if (e.ctrlKey || e.metaKey || e.shiftKey) { report("escalate"); return; }
      e.preventDefault();
      const href = escalate.href;
      let gone = false;
      const follow = () => { if (!gone) { gone = true; location.href = href; } };
      report("escalate").then(follow);
      setTimeout(follow, FOLLOW_WAIT_MS);
    });
  }

  try {
    const earlier = localStorage.getItem(voteKey);
    if (earlier === "helpful" || earlier === "not_helpful") showVote(earlier);
  } catch (e) { /* no storage: start fresh */ }
  report("page_view");
}
