// A solution page: report the view, take the "did this solve it?" vote, record the escalation click
// before following the link to the one-to-one channel.
(function () {
  "use strict";
  const page = document.getElementById("page");
  if (!page) return;
  const base = { slug: page.dataset.slug, show: page.dataset.show };
  const thanks = document.getElementById("thanks");
  const escalate = document.getElementById("escalate");
  const votes = Array.from(document.querySelectorAll(".v-vote"));
  const voteKey = "vote:" + base.slug;
  const FOLLOW_WAIT_MS = 800;

  function sendEvent(type) {
    return fetch("/api/events", {
      method: "POST", credentials: "same-origin", keepalive: true,
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ type: type, slug: base.slug, show: base.show }),
    }).catch(function () { /* the answer matters more than the count */ });
  }

  function showVote(type) {
    votes.forEach(function (b) { b.setAttribute("aria-pressed", String(b.dataset.vote === type)); });
    thanks.textContent = type === "helpful" ? thanks.dataset.helpful : thanks.dataset.notHelpful;
    thanks.hidden = false;
    if (escalate) escalate.classList.toggle("urge", type === "not_helpful");
  }

  // The latest vote wins on the server, so votes go one after another: parallel requests could arrive reordered.
  let voteSent = Promise.resolve();
  votes.forEach(function (button) {
    button.addEventListener("click", function () {
      const type = button.dataset.vote;
      showVote(type);
      try { localStorage.setItem(voteKey, type); } catch (e) { /* private mode */ }
      voteSent = voteSent.then(function () { return sendEvent(type); });
    });
  });

  if (escalate) {
    escalate.addEventListener("click", function (e) {
      if (e.ctrlKey || e.metaKey || e.shiftKey) { sendEvent("escalate"); return; }
      e.preventDefault();
      const href = escalate.href;
      let gone = false;
      function follow() { if (!gone) { gone = true; location.href = href; } }
      sendEvent("escalate").then(follow);
      setTimeout(follow, FOLLOW_WAIT_MS);
    });
  }

  try {
    const earlier = localStorage.getItem(voteKey);
    if (earlier === "helpful" || earlier === "not_helpful") showVote(earlier);
  } catch (e) { /* no storage: start fresh */ }
  sendEvent("page_view");
})();
