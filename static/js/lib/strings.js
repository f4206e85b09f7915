/* The page's strings, handed over by the server as a JSON island (<script type="application/json">), and the one
 * formatter: fmt("common.askers", {n: 3}) fills {name} placeholders. Scripts themselves stay language-free. */

let table = {};

/** Read the page's strings from the JSON island with this id; later t()/fmt() calls use them. */
export function loadStrings(id) {
  const node = document.getElementById(id);
  return useStrings(node ? JSON.parse(node.textContent) : {});
}

/** Use this {key: text} table for t()/fmt() (a page whose island carries more than strings). */
export function useStrings(strings) {
  table = strings || {};
  return table;
}

/** The string for key; without one, fallback when given, else the key itself (visible, never blank). */
export function t(key, fallback) {
  const text = table[key];
  return typeof text === "string" ? text : fallback !== undefined ? fallback : key;
}

/** t(key) with every {name} replaced by values[name]; a placeholder without a value becomes "". */
export function fmt(key, values) {
  return fill(t(key), values);
}

/** The same for a text the page carries itself (a data- attribute rendered by the server). */
export function fill(text, values) {
  return text.replace(/\{(\w+)\}/g, (_, name) => (values && name in values ? String(values[name]) : ""));
}

/** Seconds as mm:ss (minutes go past 59). */
export function fmtDuration(seconds) {
  const total = Math.max(0, Math.floor(seconds));
  const m = Math.floor(total / 60), s = total % 60;
  return String(m).padStart(2, "0") + ":" + String(s).padStart(2, "0");
}
