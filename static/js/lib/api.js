/* The one way pages talk to the studio's HTTP API: same-origin, with the page's CSRF token, JSON or FormData.
 * Never throws: resolves {ok, status, data}, where a failure's data is {error: "..."} (status 0: no network). */
import { toast } from "./dom.js";

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : null;
}

/** api("PUT", "/api/shows/x/rundown", {items, revision}); a FormData body is sent as multipart, as is. */
export async function api(method, url, body) {
  const headers = { Accept: "application/json" };
  const token = csrfToken();
  if (token) headers["X-CSRF-Token"] = token;
  const opts = { method, headers, credentials: "same-origin" };
  if (body instanceof FormData) opts.body = body;
  else if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    opts.body = JSON.stringify(body);
  }
  let resp;
  try {
    resp = await fetch(url, opts);
  } catch (e) {
    return { ok: false, status: 0, data: { error: "network" } };
  }
  const text = await resp.text().catch(() => "");
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch (e) { data = { error: text.slice(0, 200) }; }
  } else if (!resp.ok) {
    data = { error: `${resp.status} ${resp.statusText}`.trim() };
  }
  return { ok: resp.ok, status: resp.status, data };
}

/** What a failed api() result says: the server's error text, else the HTTP status. */
export function errorText(r) {
  return (r.data && r.data.error) || "HTTP " + r.status;
}

/** A failed api() result as a toast. */
export function toastError(r) {
  toast(errorText(r));
}
