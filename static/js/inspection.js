// The inspection form: show a hazard's details when its item fails, "all remaining pass",
// extra hazards added from a <template>, and no double submit. Works without it too.
(function () {
  "use strict";
  var form = document.querySelector("[data-inspection-form]");
  if (!form) return;

  function syncCard(card) {
    var failed = card.querySelector('input[type=radio][value=fail]:checked');
    card.classList.toggle("is-fail", Boolean(failed));
  }

  form.addEventListener("change", function (event) {
    var card = event.target.closest(".checklist-item");
    if (card && event.target.type === "radio") syncCard(card);
  });
  form.querySelectorAll(".checklist-item").forEach(syncCard);
  form.classList.add("js-ready");

  var allPass = form.querySelector("[data-all-pass]");
  if (allPass) {
    allPass.addEventListener("click", function () {
      form.querySelectorAll(".checklist-item").forEach(function (card) {
        if (!card.querySelector("input[type=radio]:checked")) {
          var pass = card.querySelector("input[type=radio][value=pass]");
          if (pass) pass.checked = true;
        }
        syncCard(card);
      });
    });
  }

  var addExtra = form.querySelector("[data-add-extra]");
  var template = form.querySelector("[data-extra-template]");
  var total = form.querySelector("input[name=extra-TOTAL_FORMS]");
  var maxForms = form.querySelector("input[name=extra-MAX_NUM_FORMS]");
  if (addExtra && template && total) {
    addExtra.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      if (maxForms && index >= parseInt(maxForms.value, 10)) return;
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      form.querySelector("[data-extra-list]").insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
    });
  }

  form.addEventListener("submit", function (event) {
    var button = form.querySelector("[data-submit]");
    if (button) {
      button.disabled = true;
      button.classList.add("disabled");
    }
    // Field work without signal: offline.js keeps the filing on the phone, then sends it.
    if (window.GridwatchOffline) window.GridwatchOffline.takeOver(form, event);
  });
})();
