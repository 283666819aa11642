// Registry pages. No inline script anywhere (a Content Security Policy is coming): behaviour
// hangs on data- attributes. Everything works without this file, only less conveniently.
(function () {
  "use strict";

  // The list: "select all on this page", and the label button only when something is selected.
  document.querySelectorAll("form.registry-selection").forEach(function (form) {
    var all = form.querySelector("[data-select-all]");
    var boxes = Array.prototype.slice.call(form.querySelectorAll("input[name=ids]"));
    var submit = form.querySelector("[data-selection-submit]");
    function refresh() {
      var checked = boxes.filter(function (box) { return box.checked; }).length;
      if (submit) { submit.disabled = checked === 0; }
      if (all) {
        all.checked = checked > 0 && checked === boxes.length;
        all.indeterminate = checked > 0 && checked < boxes.length;
      }
    }
    if (all) {
      all.addEventListener("change", function () {
        boxes.forEach(function (box) { box.checked = all.checked; });
        refresh();
      });
    }
    boxes.forEach(function (box) { box.addEventListener("change", refresh); });
    refresh();
  });

  // Buttons that change something lasting ask first: <button data-confirm="…">.
  document.querySelectorAll("[data-confirm]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      if (!window.confirm(button.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });

  // The label sheet's print button.
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
