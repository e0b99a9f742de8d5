/**
 * capacity.html's own script (plain ES5-style JS, inlined after Chart.js): reads the embedded JSON and
 * draws latency vs offered rate (each percentile a line with its CI as a filled band) and max rate vs
 * nodes (measured points, the model's curve dashed). Animation off, as in report.html.
 */
export const CAPACITY_SCRIPT = `
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('capacity-data').textContent);
  var palette = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2'];
  Chart.defaults.animation = false;
  Chart.defaults.font.family = 'system-ui, sans-serif';
  function xy(trials, pick) {
    return trials.filter(function (t) { return t[pick.key] !== null; }).map(function (t) {
      var e = t[pick.key];
      return { x: t.rate, y: pick.bound === 'value' ? e.value : (e.ci ? e.ci[pick.bound] : null) };
    });
  }
  var sets = [];
  data.topologies.forEach(function (topo, i) {
    [['p50', [4, 3]], ['p99', []]].forEach(function (p) {
      var color = palette[i % palette.length];
      sets.push({ label: topo.name + ' ' + p[0] + ' CI low', data: xy(topo.trials, { key: p[0], bound: 0 }), borderWidth: 0, pointRadius: 0, showLine: true, fill: false, legend: false });
      sets.push({ label: topo.name + ' ' + p[0] + ' CI', data: xy(topo.trials, { key: p[0], bound: 1 }), borderWidth: 0, pointRadius: 0, showLine: true, backgroundColor: color + '22', fill: '-1', legend: false });
      sets.push({
        label: topo.name + ' ' + p[0] + ' e2e', data: xy(topo.trials, { key: p[0], bound: 'value' }), borderColor: color, backgroundColor: color,
        borderDash: p[1], showLine: true, borderWidth: 1.5,
        pointStyle: 'circle', pointRadius: 4,
        pointBackgroundColor: topo.trials.filter(function (t) { return t[p[0]] !== null; }).map(function (t) { return t.verdict === 'pass' ? color : '#ffffff'; })
      });
    });
  });
  new Chart(document.getElementById('chart-latency'), {
    type: 'scatter',
    data: { datasets: sets },
    options: {
      maintainAspectRatio: false,
      scales: { x: { title: { display: true, text: 'offered rate (req/s)' } }, y: { title: { display: true, text: 'e2e latency (ms)' } } },
      plugins: { legend: { labels: { filter: function (item, chart) { return chart.datasets[item.datasetIndex].legend !== false; } } } }
    }
  });
  var measured = data.topologies.filter(function (t) { return t.maxRate !== null; }).map(function (t) { return { x: t.nodes, y: t.maxRate }; });
  var scaling = [{ label: 'measured max rate', data: measured, borderColor: palette[0], backgroundColor: palette[0], pointRadius: 5, showLine: false }];
  if (data.model) {
    var perNode = data.topologies.length ? data.topologies[0].gpus / data.topologies[0].nodes : 2;
    var maxNodes = Math.max.apply(null, data.topologies.map(function (t) { return t.nodes; }).concat(data.model.predictions.map(function (p) { return p.nodes; })));
    var curve = [];
    for (var n = 1; n <= maxNodes; n++) curve.push({ x: n, y: data.model.a * Math.pow(n * perNode, data.model.b) });
    scaling.push({ label: 'model (a fit, not measured)', data: curve, borderColor: palette[1], backgroundColor: palette[1], borderDash: [6, 3], pointRadius: 0, showLine: true });
  }
  new Chart(document.getElementById('chart-scaling'), {
    type: 'scatter',
    data: { datasets: scaling },
    options: {
      maintainAspectRatio: false,
      scales: { x: { title: { display: true, text: 'worker nodes' }, ticks: { stepSize: 1 } }, y: { beginAtZero: true, title: { display: true, text: 'max rate (req/s)' } } }
    }
  });
})();
`;
