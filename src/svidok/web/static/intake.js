// Intake form: choosing a suggested existing person or place fills the row's "existing" field
// (the suggestions come from GET /web/intake/match through htmx). Event delegation, so rows
// added later work too.
(function () {
  "use strict";
  document.addEventListener("click", function (ev) {
    var b = ev.target.closest ? ev.target.closest("button[data-fill]") : null;
    if (!b) { return; }
    var target = document.getElementById(b.getAttribute("data-fill"));
    if (!target) { return; }
    target.value = b.getAttribute("data-value") || "";
    target.focus();
  });
}());
