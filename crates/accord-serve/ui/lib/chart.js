// A thin wrapper over the vendored uPlot (ui/vendor/, loaded by index.html
// as the global `uPlot`): lines over time and bars by category, sized to
// their container and redrawn when it changes width.

const PALETTE = ['#1f5fbf', '#c2410c', '#15803d', '#7c3aed', '#b91c1c', '#0e7490', '#a16207', '#be185d'];

/** The colour of the i-th series. */
export function color(i) {
  return PALETTE[i % PALETTE.length];
}

function uplot() {
  const U = globalThis.uPlot;
  if (!U) throw new Error('the charting library (ui/vendor/uPlot.iife.min.js) did not load');
  return U;
}

function widthOf(el) {
  return Math.max(280, Math.floor(el.clientWidth || el.getBoundingClientRect().width || 600));
}

function mount(el, opts, data) {
  const U = uplot();
  const plot = new U({ ...opts, width: widthOf(el), height: opts.height ?? 260 }, data, el);
  const ro = new ResizeObserver(() => {
    const w = widthOf(el);
    if (Math.abs(w - plot.width) > 4) plot.setSize({ width: w, height: plot.height });
  });
  ro.observe(el);
  return plot;
}

/**
 * Lines over categories shown as labels (months, days).
 *   chart.lines(el, { labels: ['2026-01', …], series: [{ label: 'Leads', values: [...] }], format: fmt.int })
 */
export function lines(el, { labels, series, format = String, height, title, xLabel = 'Month' }) {
  const xs = labels.map((_, i) => i);
  const opts = {
    title,
    height,
    scales: { x: { time: false, range: [-0.3, labels.length - 0.7] } },
    axes: [
      categoryAxis(labels),
      { values: (u, ticks) => ticks.map((t) => format(t)), size: 70 },
    ],
    series: [
      { label: xLabel, value: (u, v) => (v === null || labels[v] === undefined ? '—' : labels[v]) },
      ...series.map((s, i) => ({
        label: s.label,
        stroke: s.color ?? color(i),
        width: 2,
        value: (u, v) => (v === null ? '—' : format(v)),
        points: { show: labels.length < 40 },
      })),
    ],
  };
  return mount(el, opts, [xs, ...series.map((s) => s.values.map((v) => (v === null || v === undefined ? null : Number(v))))]);
}

/**
 * Bars by category, one or more series side by side.
 *   chart.bars(el, { labels: ['EMEA', 'NA'], series: [{ label: 'Target', values: [..] }], format })
 */
export function bars(el, { labels, series, format = String, height, title, xLabel = 'Stage' }) {
  const U = uplot();
  const n = series.length;
  const xs = labels.map((_, i) => i);
  const opts = {
    title,
    height,
    scales: { x: { time: false, range: [-0.5, labels.length - 0.5] } },
    axes: [
      categoryAxis(labels),
      { values: (u, ticks) => ticks.map((t) => format(t)), size: 70 },
    ],
    series: [
      { label: xLabel, value: (u, v) => (v === null || labels[v] === undefined ? '—' : labels[v]) },
      ...series.map((s, i) => ({
        label: s.label,
        stroke: s.color ?? color(i),
        fill: (s.color ?? color(i)) + 'cc',
        value: (u, v) => (v === null ? '—' : format(v)),
        points: { show: false },
        paths: U.paths.bars({ size: [0.8 / n, 80], align: 0 }),
      })),
    ],
  };
  return mount(el, opts, [xs, ...series.map((s) => s.values.map((v) => (v === null || v === undefined ? null : Number(v))))]);
}

/** An x axis of categories: one tick per label (thinned to fit), no grid between. */
function categoryAxis(labels) {
  return {
    splits: (u) => {
      const room = Math.max(1, Math.floor(u.bbox.width / devicePixelRatio / 80));
      const step = Math.max(1, Math.ceil(labels.length / room));
      return labels.map((_, i) => i).filter((i) => i % step === 0);
    },
    values: (u, ticks) => ticks.map((t) => labels[t] ?? ''),
    grid: { show: false },
    gap: 4,
  };
}

/** A chart's container: a <figure> with a caption, for a page to append. */
export function figure(caption, testid) {
  const f = document.createElement('figure');
  f.className = 'chart';
  if (testid) f.dataset.testid = testid;
  const c = document.createElement('figcaption');
  c.textContent = caption;
  const box = document.createElement('div');
  box.className = 'chart-box';
  f.append(c, box);
  return { figure: f, box };
}
