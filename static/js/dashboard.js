/* The dashboard's trend chart and period picker.
 * Chart data come from a <script type="application/json" id="trend-data"> block (json_script),
 * so the page needs no inline executable script (a Content Security Policy will forbid it).
 * A click on a bar opens the ledger rows behind it. */
(function () {
  "use strict";

  var COLOURS = ["#0b5ed7", "#198754"];

  function drawTrend() {
    var canvas = document.getElementById("trend-chart");
    var source = document.getElementById("trend-data");
    if (!canvas || !source || typeof window.Chart === "undefined") {
      return;
    }
    var data = JSON.parse(source.textContent);
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: data.series.map(function (series, index) {
          return {
            label: series.label,
            data: series.values,
            backgroundColor: COLOURS[index % COLOURS.length],
            borderColor: COLOURS[index % COLOURS.length],
          };
        }),
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
        plugins: { legend: { position: "bottom" } },
        onHover: function (event, elements) {
          event.native.target.style.cursor = elements.length ? "pointer" : "default";
        },
        onClick: function (event, elements) {
          if (!elements.length) {
            return;
          }
          var hit = elements[0];
          var url = data.series[hit.datasetIndex].urls[hit.index];
          if (url) {
            window.location.href = url;
          }
        },
      },
    });
  }

  function wirePeriodForm() {
    var form = document.querySelector("[data-period-form]");
    if (!form) {
      return;
    }
    // A preset shows at once; typing a date picks "custom".
    form.querySelectorAll("[data-autosubmit]").forEach(function (radio) {
      radio.addEventListener("change", function () {
        if (!radio.hasAttribute("data-custom")) {
          form.submit();
        }
      });
    });
    var custom = form.querySelector("[data-custom]");
    form.querySelectorAll("[data-custom-date]").forEach(function (input) {
      input.addEventListener("change", function () {
        if (custom) {
          custom.checked = true;
        }
      });
    });
  }

  function wireTownPicker() {
    var picker = document.querySelector("[data-town-picker]");
    if (picker) {
      picker.addEventListener("change", function () {
        picker.form.submit();
      });
    }
  }

  function init() {
    drawTrend();
    wirePeriodForm();
    wireTownPicker();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
