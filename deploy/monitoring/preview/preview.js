// Draws a Grafana dashboard's panels from Prometheus query_range answers, without Grafana.
// renderDashboard(dashboard, results, caption): `dashboard` is the JSON of
// deploy/monitoring/grafana/dashboards/*.json; `results[panelId][refId]` is the `data.result` of
// /api/v1/query_range for that target (a list of {metric, values: [[unixSeconds, "value"], ...]}).
"use strict";

const COLOURS = ["#73bf69", "#f2cc0c", "#5794f2", "#ff9830", "#f2495c", "#b877d9", "#8ab8ff",
  "#fade2a", "#37872d", "#c4162a", "#1f60c4", "#fa6400"];

function legend(format, metric) {
  if (!format) return JSON.stringify(metric);
  return format.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, label) => metric[label] ?? "");
}

function formatValue(value, unit) {
  if (!Number.isFinite(value)) return "–";
  switch (unit) {
    case "s": return value < 1 ? `${(value * 1000).toFixed(value < 0.01 ? 2 : 1)} ms` : `${value.toFixed(2)} s`;
    case "percentunit": return `${(value * 100).toFixed(1)}%`;
    case "reqps": return `${value.toFixed(2)} req/s`;
    case "ops": return `${value.toFixed(2)}/s`;
    default: return Number.isInteger(value) ? String(value) : value.toFixed(2);
  }
}

function clock(seconds) {
  return new Date(seconds * 1000).toISOString().slice(11, 19);
}

function seriesOf(panel, results) {
  const series = [];
  for (const target of panel.targets) {
    for (const row of (results[panel.id] || {})[target.refId] || []) {
      series.push({
        label: legend(target.legendFormat, row.metric),
        points: row.values.map(([t, v]) => ({ x: Number(t), y: Number(v) }))
          .filter((point) => Number.isFinite(point.y)),
      });
    }
  }
  return series.filter((s) => s.points.length > 0);
}

function drawTimeseries(body, panel, series) {
  const canvas = document.createElement("canvas");
  body.append(canvas);
  const unit = panel.fieldConfig.defaults.unit;
  new Chart(canvas, {
    type: "line",
    data: {
      datasets: series.map((s, i) => ({
        label: s.label, data: s.points, borderColor: COLOURS[i % COLOURS.length],
        backgroundColor: COLOURS[i % COLOURS.length], pointRadius: 0, borderWidth: 1.5, tension: 0.2,
      })),
    },
    options: {
      animation: false, responsive: true, maintainAspectRatio: false, parsing: false,
      scales: {
        x: { type: "linear", ticks: { color: "#9fa7b3", callback: clock, maxTicksLimit: 6 }, grid: { color: "#2c3235" } },
        y: { beginAtZero: true, ticks: { color: "#9fa7b3", callback: (v) => formatValue(v, unit) }, grid: { color: "#2c3235" } },
      },
      plugins: { legend: { position: "bottom", labels: { color: "#ccccdc", boxWidth: 10, font: { size: 10 } } } },
    },
  });
}

function drawStat(body, panel, series) {
  const value = Math.max(...series.map((s) => s.points[s.points.length - 1].y));
  const stat = document.createElement("div");
  stat.className = "stat";
  stat.textContent = formatValue(value, panel.fieldConfig.defaults.unit);
  body.append(stat);
}

function renderDashboard(dashboard, results, caption) {
  document.title = `preview of ${dashboard.title}`;
  document.getElementById("title").textContent = `preview of ${dashboard.title}`;
  document.getElementById("caption").textContent = caption;
  const grid = document.getElementById("panels");
  for (const panel of dashboard.panels) {
    const box = document.createElement("section");
    box.className = "panel";
    box.dataset.panelId = panel.id;
    const { x, y, w, h } = panel.gridPos;
    box.style.gridColumn = `${x + 1} / span ${w}`;
    box.style.gridRow = `${y + 1} / span ${h}`;
    const title = document.createElement("h2");
    title.textContent = panel.title;
    title.title = panel.description || "";
    const body = document.createElement("div");
    body.className = "body";
    box.append(title, body);
    grid.append(box);
    const series = seriesOf(panel, results);
    if (series.length === 0) {
      body.innerHTML = '<p class="nodata">No data</p>';
    } else if (panel.type === "stat") {
      drawStat(body, panel, series);
    } else {
      drawTimeseries(body, panel, series);
    }
  }
  return document.querySelectorAll(".nodata").length;
}
