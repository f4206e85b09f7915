/* One read-only /live subscription: full state on every (re)connect, revisioned snapshots, a status callback.
 * Shared by the console, the rundown page and the overlays. Writes never go through here: they use the HTTP API.
 * Needs the Socket.IO client (/vendor/socket.io.min.js, a classic script loaded before the page's module). */

/**
 * connectLive({show, topics, onState(topic, data, snap), onStatus(status, error)}) → {socket, now()}.
 * status is "live", "reconnecting" or "error"; now() is the server's clock in epoch seconds.
 */
export function connectLive({ show, topics, onState, onStatus }) {
  let lastRev = {};
  let skewMs = 0;
  const socket = io("/live", {
    transports: ["websocket", "polling"],
    reconnection: true,
    reconnectionAttempts: Infinity, // an overlay in OBS must come back however long the studio was away
    reconnectionDelay: 500,
    reconnectionDelayMax: 3000,
    randomizationFactor: 0.3,
    timeout: 5000,
  });
  const status = (s, error) => { if (onStatus) onStatus(s, error); };

  socket.on("connect", () => {
    lastRev = {}; // a new connection (maybe a restarted server) starts a new sequence: its first snapshot wins
    socket.emit("subscribe", { show, topics }, (ack) => {
      if (ack && ack.ok) status("live");
      else status("error", ack && ack.error);
    });
  });
  socket.on("disconnect", () => status("reconnecting"));
  socket.on("connect_error", () => status("reconnecting"));
  socket.on("state", (snap) => {
    if (!snap || snap.show !== show) return;
    if (lastRev[snap.topic] !== undefined && snap.rev <= lastRev[snap.topic]) return;
    lastRev[snap.topic] = snap.rev;
    skewMs = snap.ts * 1000 - Date.now();
    onState(snap.topic, snap.data, snap);
  });

  return {
    socket,
    /** The server's clock in epoch seconds (timers count from server timestamps). */
    now: () => (Date.now() + skewMs) / 1000,
  };
}

/** The topics a page element asks for: data-topics="onair,ranking". */
export function topicsOf(node) {
  return (node.dataset.topics || "").split(",").filter(Boolean);
}

/** The list in a live snapshot: topics send either a bare array or {items: [...]}. */
export function listOf(data) {
  return Array.isArray(data) ? data : (data && data.items) || [];
}

/** Up to n distinct comment texts from samples ([{text}] or [string]): chat repeats itself. */
export function sampleTexts(samples, n) {
  const out = [];
  for (const s of samples || []) {
    const text = typeof s === "string" ? s : s && s.text;
    if (text && !out.includes(text) && out.length < n) out.push(text);
  }
  return out;
}
