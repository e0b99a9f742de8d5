/**
 * The report page's own script (plain ES5-style JS, inlined after Chart.js): reads the embedded JSON and
 * draws the charts. Fault windows are shaded on every time chart by a small Chart.js plugin. Animation is
 * off so that a chart is complete as soon as it is made (printing, screenshots, the Chromium test).
 */
export const REPORT_SCRIPT = `
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('gauntlet-data').textContent);
  var palette = ['#2563eb', '#16a34a', '#dc2626', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777', '#4b5563', '#65a30d'];
  var faultShading = {
    id: 'faultShading',
    beforeDatasetsDraw: function (chart, args, options) {
      var windows = (options && options.windows) || [];
      var x = chart.scales.x;
      var area = chart.chartArea;
      if (!windows.length || !x || !area) return;
      var ctx = chart.ctx;
      ctx.save();
      windows.forEach(function (w) {
        var left = Math.max(area.left, x.getPixelForValue(w.fromS));
        var right = Math.min(area.right, x.getPixelForValue(w.toS));
        if (!(right > left)) return;
        ctx.fillStyle = 'rgba(220, 38, 38, 0.12)';
        ctx.fillRect(left, area.top, right - left, area.bottom - area.top);
        ctx.fillStyle = 'rgba(153, 27, 27, 0.9)';
        ctx.font = '11px sans-serif';
        ctx.fillText(w.label, left + 4, area.top + 12);
      });
      ctx.restore();
    }
  };
  Chart.register(faultShading);
  Chart.defaults.animation = false;
  Chart.defaults.font.family = 'system-ui, sans-serif';

  function points(xs, ys) {
    var out = [];
    for (var i = 0; i < xs.length; i++) out.push({ x: xs[i], y: ys[i] === undefined ? null : ys[i] });
    return out;
  }
  function line(label, xs, ys, i, dash) {
    return {
      label: label,
      data: points(xs, ys),
      borderColor: palette[i % palette.length],
      backgroundColor: palette[i % palette.length],
      borderWidth: 1.5,
      borderDash: dash ? [6, 3] : [],
      pointRadius: 0,
      spanGaps: false
    };
  }
  function timeChart(id, datasets, yTitle) {
    return new Chart(document.getElementById(id), {
      type: 'line',
      data: { datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        parsing: true,
        interaction: { mode: 'nearest', axis: 'x', intersect: false },
        scales: {
          x: { type: 'linear', min: 0, max: data.endS, title: { display: true, text: 'seconds since start' } },
          y: { beginAtZero: true, title: { display: true, text: yTitle } }
        },
        plugins: { faultShading: { windows: data.faults }, legend: { position: 'bottom' } }
      }
    });
  }

  var tl = data.timeline;
  var charts = [];
  charts.push(timeChart('chart-latency', [
    line('e2e p50', tl.t, tl.e2eP50, 0), line('e2e p95', tl.t, tl.e2eP95, 1), line('e2e p99', tl.t, tl.e2eP99, 2),
    line('TTFT p50', tl.t, tl.ttftP50, 0, true), line('TTFT p95', tl.t, tl.ttftP95, 1, true), line('TTFT p99', tl.t, tl.ttftP99, 2, true)
  ], 'ms (by request start)'));

  charts.push(new Chart(document.getElementById('chart-distribution'), {
    type: 'bar',
    data: {
      labels: data.distribution.labels,
      datasets: data.distribution.datasets.map(function (d, i) {
        return { label: d.label, data: d.counts, backgroundColor: palette[i % palette.length], borderWidth: 0 };
      })
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      scales: {
        x: { title: { display: true, text: 'latency bucket (upper bound, ms; log-spaced)' } },
        y: { beginAtZero: true, title: { display: true, text: 'requests' } }
      },
      plugins: { faultShading: false, legend: { position: 'bottom' } }
    }
  }));

  var rateSets = [line('started/s', tl.t, tl.started, 0), line('completed/s', tl.t, tl.completed, 1), line('failed/s', tl.t, tl.failed, 2)];
  Object.keys(tl.errors).forEach(function (kind, i) { rateSets.push(line('failed: ' + kind, tl.t, tl.errors[kind], 3 + i, true)); });
  charts.push(timeChart('chart-rate', rateSets, 'requests per second'));

  charts.push(timeChart('chart-server', data.server.map(function (s, i) {
    return line(s.label, s.x, s.y, i, s.dashed);
  }), 'value'));

  window.gauntletCharts = charts;
  document.documentElement.setAttribute('data-charts-ready', String(charts.length));
})();
`;
