/* Draws every element with a data-figure attribute from its json_script block with plotly.js, and makes the
   year selector reload the page as soon as a year is chosen. No inline script: the CSP forbids it. */
(function () {
  "use strict";

  function drawCharts() {
    if (!window.Plotly) {
      return;
    }
    document.querySelectorAll("[data-figure]").forEach(function (element) {
      var source = document.getElementById(element.getAttribute("data-figure"));
      if (!source) {
        return;
      }
      var figure = JSON.parse(source.textContent);
      window.Plotly.newPlot(element, figure.data, figure.layout, figure.config || { responsive: true })
        .then(function () {
          element.classList.add("chart-drawn");
          // The chart is described by the table next to it; hide plotly's SVG internals from screen readers.
          element.querySelectorAll("svg").forEach(function (svg) {
            svg.setAttribute("aria-hidden", "true");
            svg.setAttribute("focusable", "false");
          });
        });
    });
  }

  function yearSelectors() {
    document.querySelectorAll("form[data-year-selector]").forEach(function (form) {
      var select = form.querySelector("select[name=year]");
      if (select) {
        select.addEventListener("change", function () {
          form.submit();
        });
      }
    });
  }

  // Printing: redraw at the paper width so charts are not cut off.
  window.addEventListener("beforeprint", function () {
    if (window.Plotly) {
      document.querySelectorAll(".chart-drawn").forEach(function (element) {
        window.Plotly.Plots.resize(element);
      });
    }
  });

  function start() {
    yearSelectors();
    drawCharts();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
