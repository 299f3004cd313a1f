/* Draws every <figure data-chart> of the page (portal/charts/chart.html) with the vendored
 * Chart.js. The figure names the JSON element that holds the chart's data (built by
 * opendti.results.charts) and its kind: bar | hbar | line | radar | doughnut.
 *
 * Numbers arrive as exact decimal text ("685.21"); they are parsed here for drawing only;
 * tooltips show the Vietnamese text beside them ("685,21"). null is a gap. Without Chart.js (or with an error) the figure
 * keeps its table, which is then shown open. With prefers-reduced-motion nothing animates.
 * Content swapped in by htmx is drawn too; a figure is drawn once. */
(function () {
  "use strict";

  var MANY_LABELS = 12; // a "bar" chart with more labels turns horizontal
  var ROW_PX = 22; // height of one bar in a horizontal chart
  var reducedMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)");

  function parse(values) {
    return values.map(function (v) { return v === null || v === undefined ? null : Number(v); });
  }

  function datasetsFor(data, kind) {
    var single = data.datasets.length === 1;
    return data.datasets.map(function (d) {
      var ds = {
        label: d.label,
        data: parse(d.values),
        texts: d.texts || d.values,
        borderColor: d.color,
        backgroundColor: d.color,
      };
      if (kind === "doughnut" || (single && (kind === "bar" || kind === "hbar"))) {
        ds.backgroundColor = d.colors;
        ds.borderColor = kind === "doughnut" ? "#fff" : d.colors;
      }
      if (kind === "line") {
        ds.spanGaps = false; // a period without the unit stays a gap
        ds.pointRadius = 4;
        ds.pointBackgroundColor = d.color;
        ds.tension = 0;
      }
      if (kind === "radar") {
        ds.backgroundColor = d.color + "22";
        ds.pointBackgroundColor = d.color;
        ds.pointRadius = 3;
      }
      return ds;
    });
  }

  function legendFor(data, kind) {
    var legend = { display: data.datasets.length > 1 || kind === "doughnut", position: "bottom" };
    if (data.legend) {
      // One dataset coloured per value (bands): the legend names the colours, not the dataset.
      legend.display = true;
      legend.labels = {
        generateLabels: function () {
          return data.legend.map(function (item) {
            return { text: item.label, fillStyle: item.color, strokeStyle: item.color, lineWidth: 0, hidden: false };
          });
        },
      };
      legend.onClick = function () {};
    }
    return legend;
  }

  function optionsFor(data, kind, horizontal) {
    var valueAxis = {
      beginAtZero: true,
      title: { display: Boolean(data.value_label), text: data.value_label || "" },
    };
    if (data.max) valueAxis.suggestedMax = Number(data.max);
    if (data.integer) valueAxis.ticks = { precision: 0 };
    var options = {
      responsive: true,
      maintainAspectRatio: false,
      animation: reducedMotion && reducedMotion.matches ? false : undefined,
      plugins: {
        legend: legendFor(data, kind),
        tooltip: {
          callbacks: {
            label: function (ctx) {
              var text = ctx.dataset.texts[ctx.dataIndex];
              return (ctx.dataset.label ? ctx.dataset.label + ": " : "") + (text === null ? "—" : text);
            },
          },
        },
      },
    };
    if (kind === "radar") {
      options.scales = { r: { beginAtZero: true, suggestedMax: data.max ? Number(data.max) : undefined } };
    } else if (kind !== "doughnut") {
      options.indexAxis = horizontal ? "y" : "x";
      options.scales = horizontal ? { x: valueAxis, y: { ticks: { autoSkip: false } } } : { y: valueAxis, x: { ticks: { autoSkip: false } } };
    }
    return options;
  }

  function draw(figure) {
    if (figure.dataset.drawn) return;
    figure.dataset.drawn = "1";
    var details = figure.querySelector("details.chart-data");
    try {
      var source = document.getElementById(figure.dataset.chart);
      var canvas = figure.querySelector("canvas");
      if (!source || !canvas || !window.Chart) throw new Error("chart: no data, canvas or Chart.js");
      var data = JSON.parse(source.textContent);
      var kind = figure.dataset.kind || "bar";
      var horizontal = kind === "hbar" || (kind === "bar" && data.labels.length > MANY_LABELS);
      if (horizontal) {
        var bars = data.labels.length * Math.max(1, data.datasets.length);
        figure.querySelector(".chart-canvas").style.height = Math.max(240, bars * ROW_PX + 80) + "px";
      }
      var type = kind === "hbar" ? "bar" : kind;
      figure.chart = new window.Chart(canvas, {
        type: type,
        data: { labels: data.labels, datasets: datasetsFor(data, kind) },
        options: optionsFor(data, kind, horizontal),
      });
      figure.classList.add("chart-drawn");
    } catch (error) {
      // The numbers stay readable as a table.
      if (details) details.open = true;
      figure.classList.add("chart-failed");
      if (window.console) console.error(error);
    }
  }

  function drawAll(root) {
    var figures = (root || document).querySelectorAll("figure[data-chart]");
    for (var i = 0; i < figures.length; i++) draw(figures[i]);
  }

  window.OpenDTICharts = { drawAll: drawAll };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  } else {
    drawAll(document);
  }
  document.addEventListener("htmx:load", function (event) { drawAll(event.target); });
})();
