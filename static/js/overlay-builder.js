/* Overlay URL builder: the form becomes the URL to paste into OBS, with a live preview of the real page. */
(function () {
  "use strict";
  var root = document.querySelector(".builder");
  var form = document.getElementById("builder");
  var SHOW = root.dataset.show;
  var urlBox = document.getElementById("url");
  var preview = document.getElementById("preview");

  function build() {
    var kind = form.elements.kind.value;
    var q = new URLSearchParams();
    if (form.elements.theme.value !== "dark") q.set("theme", form.elements.theme.value);
    if (form.elements.pos.value !== "bottom-left") q.set("pos", form.elements.pos.value);
    if (parseFloat(form.elements.scale.value) !== 1) q.set("scale", form.elements.scale.value);
    ["accent", "text"].forEach(function (name) {
      var input = form.elements[name];
      if (input.value.toLowerCase() !== input.dataset.default) q.set(name, input.value.replace("#", ""));
    });
    if (kind === "ranking" && form.elements.n.value !== "5") q.set("n", form.elements.n.value);
    if (kind === "on-air") {
      var boxes = Array.prototype.slice.call(form.querySelectorAll('input[name="parts"]'));
      var on = boxes.filter(function (b) { return b.checked; }).map(function (b) { return b.value; });
      if (on.length !== boxes.length) q.set("parts", on.join(","));
    }
    Array.prototype.forEach.call(form.querySelectorAll("[data-for]"), function (node) {
      node.hidden = node.dataset.for !== kind;
    });
    var path = "/overlay/" + encodeURIComponent(SHOW) + "/" + kind;
    var query = q.toString();
    var url = location.origin + path + (query ? "?" + query : "");
    urlBox.value = url;
    document.getElementById("loader").href = "/overlay/loader.html?target=" + encodeURIComponent(url);
    q.set("bg", "checker");
    var src = path + "?" + q.toString();
    if (preview.getAttribute("src") !== src) preview.src = src;
  }

  form.addEventListener("input", build);
  form.addEventListener("change", build);
  document.getElementById("copy").addEventListener("click", function () {
    var btn = this;
    urlBox.select();
    var done = function () { btn.textContent = btn.dataset.done; };
    if (navigator.clipboard) navigator.clipboard.writeText(urlBox.value).then(done, function () { document.execCommand("copy"); done(); });
    else { document.execCommand("copy"); done(); }
  });
  build();
})();
