// Rate charts (uPlot, bundled): a sparkline for the stream table and a
// chart of records and bytes in and out for a stream's page. The x axis is
// the last minute; missing seconds count as zero.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatBytes } from './format.js';

const SECONDS = 60;

// Columns for uPlot: [x seconds, ...one array per `columns` index of points].
function columns(points, indexes, nowMs) {
  const end = Math.floor((points && points.length ? points[points.length - 1][0] : nowMs) / 1000);
  const xs = [];
  for (let s = end - SECONDS + 1; s <= end; ++s) xs.push(s);
  const bySecond = new Map((points || []).map((p) => [Math.floor(p[0] / 1000), p]));
  return [xs, ...indexes.map((i) => xs.map((s) => (bySecond.has(s) ? bySecond.get(s)[i] : 0)))];
}

export function sparkline(label) {
  const opts = {
    width: 120, height: 28, class: 'spark', legend: { show: false }, cursor: { show: false },
    select: { show: false }, axes: [{ show: false }, { show: false }],
    // A little room under zero, so the quiet baseline shows.
    scales: { x: { time: false }, y: { range: (u, min, max) => { const top = Math.max(1, max); return [-top * 0.08, top * 1.05]; } } },
    series: [{}, { stroke: '#2563eb', fill: 'rgba(37,99,235,0.15)', width: 1.5, points: { show: false } }],
  };
  const plot = new uPlot(opts, columns([], [1], Date.now()), document.createElement('div'));
  plot.root.setAttribute('role', 'img');
  plot.root.setAttribute('aria-label', label);
  return {
    element: plot.root,
    update(points) { plot.setData(columns(points, [1], Date.now())); },
  };
}

// A chart of one pair of series (in and out) with axes and a legend.
export function rateChart(title, indexes, bytes) {
  const value = (u, v) => (v === null || v === undefined ? '—' : bytes ? `${formatBytes(v)}/s` : `${v}/s`);
  const opts = {
    title, width: 520, height: 180, class: 'rate-chart',
    scales: { y: { range: (u, min, max) => [0, Math.max(bytes ? 1024 : 5, max * 1.1)] } },
    axes: [
      { space: 80, values: (u, splits) => splits.map((t) => new Date(t * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' })) },
      { size: 70, values: (u, vals) => vals.map((v) => (bytes ? formatBytes(v) : v)) },
    ],
    series: [
      {},
      { label: 'in', stroke: '#2563eb', fill: 'rgba(37,99,235,0.12)', width: 2, value },
      { label: 'out', stroke: '#16a34a', width: 2, value },
    ],
  };
  const holder = document.createElement('div');
  holder.className = 'chart';
  const plot = new uPlot(opts, columns([], indexes, Date.now()), holder);
  plot.root.setAttribute('role', 'img');
  plot.root.setAttribute('aria-label', title);
  const resize = () => {
    const width = Math.max(240, Math.min(900, (holder.clientWidth || 532) - 12));
    if (width !== plot.width) plot.setSize({ width, height: 180 });
  };
  return {
    element: holder,
    update(points) {
      resize();
      plot.setData(columns(points, indexes, Date.now()));
    },
  };
}
