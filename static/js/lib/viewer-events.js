/* Viewer pages report what viewers do (page views, votes, escalations) to POST /api/events. A lost count must
 * never bother the viewer: failures are swallowed, and keepalive lets a report outlive a page being left. */

/** sendEvent({type: "page_view", slug, show}) → a promise that always resolves. */
export function sendEvent(event) {
  return fetch("/api/events", {
    method: "POST", credentials: "same-origin", keepalive: true,
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(event),
  }).catch(() => { /* the page matters more than the count */ });
}
