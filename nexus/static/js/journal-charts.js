// Draws every <canvas data-chart-source="id"> from the JSON in <script id="id">, with Chart.js.
(function () {
  "use strict";
  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.chartSource);
    if (!source || window.Chart.getChart(canvas)) return;
    var chart = JSON.parse(source.textContent);
    var stacked = Boolean(chart.stacked);
    var options = { responsive: true, maintainAspectRatio: false, animation: false };
    if (chart.kind !== "doughnut") {
      options.scales = {
        x: { stacked: stacked },
        y: { stacked: stacked, beginAtZero: true, ticks: { precision: 0 } },
      };
    }
    new window.Chart(canvas, {
      type: chart.kind,
      data: {
        labels: chart.labels,
        datasets: chart.datasets.map(function (set) { return { label: set.label, data: set.data }; }),
      },
      options: options,
    });
  }
  function drawAll() {
    if (!window.Chart) return;
    document.querySelectorAll("canvas[data-chart-source]").forEach(draw);
  }
  document.addEventListener("DOMContentLoaded", drawAll);
  document.addEventListener("htmx:afterSettle", drawAll);
})();
