/* Overlay URL builder: the form becomes the URL to paste into OBS, with a live preview of the real page. */
import { $ } from "../lib/dom.js";

const root = document.querySelector(".builder");
const form = $("builder");
const SHOW = root.dataset.show;
const urlBox = $("url");
const preview = $("preview");

function build() {
  const kind = form.elements.kind.value;
  const q = new URLSearchParams();
  if (form.elements.theme.value !== "dark") q.set("theme", form.elements.theme.value);
  if (form.elements.pos.value !== "bottom-left") q.set("pos", form.elements.pos.value);
  if (parseFloat(form.elements.scale.value) !== 1) q.set("scale", form.elements.scale.value);
  for (const name of ["accent", "text"]) {
    const input = form.elements[name];
    if (input.value.toLowerCase() !== input.dataset.default) q.set(name, input.value.replace("#", ""));
  }
  if (kind === "ranking" && form.elements.n.value !== "5") q.set("n", form.elements.n.value);
  if (kind === "on-air") {
    const boxes = Array.from(form.querySelectorAll('input[name="parts"]'));
    const on = boxes.filter((b) => b.checked).map((b) => b.value);
    if (on.length !== boxes.length) q.set("parts", on.join(","));
  }
  for (const node of form.querySelectorAll("[data-for]")) node.hidden = node.dataset.for !== kind;
  const path = "/overlay/" + encodeURIComponent(SHOW) + "/" + kind;
  const query = q.toString();
  const url = location.origin + path + (query ? "?" + query : "");
  urlBox.value = url;
  $("loader").href = "/overlay/loader.html?target=" + encodeURIComponent(url);
  q.set("bg", "checker");
  const src = path + "?" + q.toString();
  if (preview.getAttribute("src") !== src) preview.src = src;
}

form.addEventListener("input", build);
form.addEventListener("change", build);
$("copy").addEventListener("click", () => {
  const btn = $("copy");
  urlBox.select();
  const done = () => { btn.textContent = btn.dataset.done; };
  if (navigator.clipboard) {
    navigator.clipboard.writeText(urlBox.value).then(done, () => { document.execCommand("copy"); done(); });
  } else { document.execCommand("copy"); done(); }
});
build();
