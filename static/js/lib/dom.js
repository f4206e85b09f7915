/* DOM helpers shared by the pages. Text from comments is untrusted: it only ever becomes text nodes. */

/** document.getElementById, short. */
export const $ = (id) => document.getElementById(id);

/** Build DOM without innerHTML: el("div", {class: "x", text: "..."}, [children]). Untrusted text stays text. */
export function el(tag, attrs, children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "text") node.textContent = String(v);
    else if (k === "class") node.className = v;
    else if (k === "dataset") Object.assign(node.dataset, v);
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children || []) {
    if (c !== null && c !== undefined && c !== false) node.append(c);
  }
  return node;
}

let toastTimer = null;
/** A short message in the page's #toast element; it goes away by itself. */
export function toast(msg) {
  const box = $("toast");
  box.textContent = msg;
  box.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { box.hidden = true; }, 4000);
}

/** Restart a CSS animation class on a node (a new answer, a pressed row). */
export function replay(node, cls) {
  node.classList.remove(cls);
  void node.offsetWidth;
  node.classList.add(cls);
}
