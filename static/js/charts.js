/* Draws every element with a data-figure attribute from its json_script block with plotly.js, fitted to the
   width the chart gets (from a 320 px phone to a 1440 px screen): bar labels and legend entries wrap, a bar
   chart is as tall as its wrapped labels need, and the title is the page's text above the chart. The sizes mirror metrics/charts.py.
   Also makes the year selector show a chosen year. No inline script: the CSP forbids it. */
(function () {
  "use strict";

  var LABEL_LINE = 18, BAR_MIN = 40, AXIS_SPACE = 60;
  var LABEL_CHAR = 7.8; // average px per character at 14 px

  function plain(text) {
    return String(text || "").replace(/<br\s*\/?>/gi, " ").replace(/\s+/g, " ").trim();
  }

  function wrapLines(text, width) {
    var lines = [], line = "";
    plain(text).split(" ").forEach(function (word) {
      if (line && line.length + 1 + word.length > width) {
        lines.push(line);
        line = word;
      } else {
        line = line ? line + " " + word : word;
      }
    });
    lines.push(line);
    return lines;
  }

  // Each value label ("30 of 57 asked") goes inside its bar when it fits there, after the bar when the
  // space to the right holds it, and otherwise on two lines where the longer line fits.
  function placeValueLabels(trace, layout, plotWidth) {
    var range = layout.xaxis && layout.xaxis.range;
    if (!range || !trace.text || plotWidth <= 0) {
      return;
    }
    var room = function (text) { return text.length * LABEL_CHAR + 8; };
    trace.textposition = trace.text.map(function (text, i) {
      var bar = ((trace.x[i] || 0) / range[1]) * plotWidth;
      var after = plotWidth - bar + layout.margin.r - 4;
      if (!text) return "none";
      if (room(text) <= bar) return "inside";
      if (room(text) <= after) return "outside";
      var lines = wrapLines(text, Math.ceil(text.length / 2) + 2);
      var longest = Math.max.apply(null, lines.map(function (line) { return line.length; }));
      trace.text[i] = lines.join("<br>");
      return longest * LABEL_CHAR + 8 <= bar ? "inside" : "outside";
    });
  }

  function fitted(figure, width) {
    var data = JSON.parse(JSON.stringify(figure.data));
    var layout = JSON.parse(JSON.stringify(figure.layout));
    var meta = layout.meta || {};
    // The page shows the title above the chart as text, where it wraps like any heading (templates/metrics/
    // _chart.html); inside the SVG it could only be clipped or run over the plot on a phone.
    layout.title = { text: "" };
    layout.margin.t = 16;
    // The x axis title is centred under the plot, which is about half the chart's width on a phone.
    var axisExtra = 0;
    if (layout.xaxis && layout.xaxis.title && layout.xaxis.title.text) {
      var axisLines = wrapLines(layout.xaxis.title.text, Math.max(12, Math.floor((width * 0.5) / 8.5)));
      layout.xaxis.title.text = axisLines.join("<br>");
      axisExtra = (axisLines.length - 1) * LABEL_LINE;
    }
    if (meta.labels) {
      // Horizontal bars: the labels take at most about 40% of a narrow chart, 28 characters on a wide one.
      var chars = Math.max(12, Math.min(28, Math.floor((width * 0.4) / LABEL_CHAR)));
      var tallest = 1, widest = 0;
      data[0].y = meta.labels.map(function (label) {
        var lines = wrapLines(label, chars);
        tallest = Math.max(tallest, lines.length);
        lines.forEach(function (line) { widest = Math.max(widest, line.length); });
        return lines.join("<br>");
      });
      placeValueLabels(data[0], layout, width - widest * LABEL_CHAR - 12 - layout.margin.l - layout.margin.r);
      // Plotly gives every bar the same slot, so the tallest label sets the height of each.
      var slot = Math.max(BAR_MIN, LABEL_LINE * tallest + 14);
      layout.margin.b = AXIS_SPACE + axisExtra;
      layout.height = layout.margin.t + layout.margin.b + Math.max(meta.labels.length, 1) * slot + 10;
    }
    if (meta.names) {
      // The legend is listed under the axis title; its entries wrap to the width and the margin holds them.
      var nameChars = Math.max(16, Math.floor((width - 50) / LABEL_CHAR));
      var lines = 0;
      data.forEach(function (trace, i) {
        var wrapped = wrapLines(meta.names[i], nameChars);
        lines += wrapped.length;
        trace.name = wrapped.join("<br>");
      });
      layout.margin.b = AXIS_SPACE + axisExtra + 16 + LABEL_LINE * lines + 8 * data.length;
      layout.height = layout.margin.t + (meta.plot_height || 300) + layout.margin.b;
    }
    return { data: data, layout: layout };
  }

  function draw(element, figure) {
    var fit = fitted(figure, element.clientWidth || 640);
    element.dataset.fittedWidth = String(element.clientWidth);
    return window.Plotly.react(element, fit.data, fit.layout, figure.config || { responsive: true });
  }

  function drawCharts() {
    if (!window.Plotly) {
      return;
    }
    var charts = [];
    document.querySelectorAll("[data-figure]").forEach(function (element) {
      var source = document.getElementById(element.getAttribute("data-figure"));
      if (!source) {
        return;
      }
      var figure = JSON.parse(source.textContent);
      charts.push({ element: element, figure: figure });
      draw(element, figure).then(function () {
        element.classList.add("chart-drawn");
        // The chart is described by the table next to it; hide plotly's SVG internals from screen readers.
        element.querySelectorAll("svg").forEach(function (svg) {
          svg.setAttribute("aria-hidden", "true");
          svg.setAttribute("focusable", "false");
        });
      });
    });
    var pending = null;
    window.addEventListener("resize", function () {
      window.clearTimeout(pending);
      pending = window.setTimeout(function () {
        charts.forEach(function (chart) {
          if (chart.element.dataset.fittedWidth !== String(chart.element.clientWidth)) {
            draw(chart.element, chart.figure);
          }
        });
      }, 150);
    });
  }

  function yearSelectors() {
    // A change made with the arrow keys must not reload the page (keyboard users could never get past the
    // next year); the page reloads on a pointer choice, on Enter, or with the "Show year" button.
    document.querySelectorAll("form[data-year-selector]").forEach(function (form) {
      var select = form.querySelector("select[name=year]");
      if (!select) {
        return;
      }
      var byKeyboard = false;
      select.addEventListener("keydown", function (event) {
        if (event.key === "Enter") {
          event.preventDefault();
          form.submit();
          return;
        }
        byKeyboard = true;
      });
      select.addEventListener("pointerdown", function () {
        byKeyboard = false;
      });
      select.addEventListener("change", function () {
        if (!byKeyboard) {
          form.submit();
        }
      });
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
