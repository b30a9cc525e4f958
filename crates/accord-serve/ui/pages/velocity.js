// Velocity: time from one funnel stage to the next (median and p90), for
// the period and month by month. Reads GET /v1/reports/velocity, once for
// the period and once per month of it.
//
// This module also holds the few DOM helpers the pages of the `pages`
// branch share (el, section, empty, style, periodQuery, months).

export async function render(root, ctx) {
  style("velocity", CSS);
  root.append(el("h1", {}, "Velocity"));
  root.append(el("p", { class: "pg-sub" }, "Time from a lead's first entry into a stage to its first entry into the next: half of the leads took less than the median, nine in ten less than p90."));
  const whole = await ctx.api(`/v1/reports/velocity${periodQuery(ctx.period)}`);
  const rows = whole.reports[0].rows;
  if (rows.length === 0) {
    root.append(empty(ctx.period
      ? "No lead moved from one stage to the next in this period: pick a longer period, or import or send events (`accord import`, POST /v1/events)."
      : "No lead has moved from one stage to the next yet: import history with `accord import` or send events to POST /v1/events."));
    return;
  }
  const channels = [...new Set(rows.map((r) => r.source_channel))].filter((c) => c !== "(all)").sort();
  const steps = STEPS.filter((s) => rows.some((r) => r.from_stage === s[0] && r.to_stage === s[1]));
  const channel = channels.includes(ctx.params.get("channel")) ? ctx.params.get("channel") : "(all)";
  const stepKey = ctx.params.get("step");
  const step = steps.find((s) => `${s[0]}-${s[1]}` === stepKey) || steps[0];

  // Controls: a channel and a step; each change is a link (the hash).
  const go = (ch, st) => ctx.go(`#/velocity?${new URLSearchParams({ channel: ch, step: `${st[0]}-${st[1]}` })}`);
  const chSel = el("select", { id: "vel-channel" }, ...["(all)", ...channels].map((c) => option(c, c === "(all)" ? "every channel" : label(c), c === channel)));
  const stSel = el("select", { id: "vel-step" }, ...steps.map((s) => option(`${s[0]}-${s[1]}`, `${s[0]} → ${s[1]}`, s === step)));
  chSel.addEventListener("change", () => go(chSel.value, steps.find((s) => `${s[0]}-${s[1]}` === stSel.value)));
  stSel.addEventListener("change", () => go(chSel.value, steps.find((s) => `${s[0]}-${s[1]}` === stSel.value)));
  root.append(el("div", { class: "pg-controls" },
    el("label", { for: "vel-channel" }, "Source channel"), chSel,
    el("label", { for: "vel-step" }, "Step over time"), stSel));

  // The period: every step for the chosen channel.
  const mine = rows.filter((r) => r.source_channel === channel);
  const cards = el("div", { class: "pg-cards" });
  for (const s of steps) {
    const r = mine.find((x) => x.from_stage === s[0] && x.to_stage === s[1]);
    const id = `${s[0]}-${s[1]}`;
    cards.append(el("div", { class: "pg-card" + (s === step ? " pg-card-on" : "") },
      el("div", { class: "pg-card-h" }, `${s[0]} → ${s[1]}`),
      r ? el("div", { class: "pg-big", "data-testid": `velocity-p50-${id}` }, hours(ctx, r.p50_hours)) : el("div", { class: "pg-big" }, "–"),
      r ? el("div", { class: "pg-small" }, "median · p90 ", el("span", { "data-testid": `velocity-p90-${id}` }, hours(ctx, r.p90_hours)),
        " · ", el("span", { "data-testid": `velocity-leads-${id}` }, ctx.fmt.number(r.leads)), " leads") : el("div", { class: "pg-small" }, "no lead made this step"),
    ));
  }
  root.append(section(`${channel === "(all)" ? "Every channel" : label(channel)}, ${describe(ctx.period)}`, cards));

  // Month by month: one request per month of the period.
  const spans = months(ctx.period, whole.as_of);
  const answers = await Promise.all(spans.map((m) => ctx.api(`/v1/reports/velocity${periodQuery(m)}`)));
  const series = spans.map((m, i) => {
    const r = answers[i].reports[0].rows.find((x) => x.from_stage === step[0] && x.to_stage === step[1] && x.source_channel === channel);
    return { month: m, row: r || null };
  });
  const title = `${step[0]} → ${step[1]} by month`;
  if (series.every((s) => !s.row)) {
    root.append(section(title, empty("No lead made this step in any month of the period: pick another step, channel or a longer period.")));
    return;
  }
  const chartBox = el("div", { class: "pg-chart", "data-testid": "velocity-chart" });
  root.append(section(title, chartBox, monthTable(ctx, series)));
  const xs = series.map((s) => Date.parse(`${s.month.from}T00:00:00Z`) / 1000);
  const gap = (v) => (v == null ? null : v);
  ctx.chart.line(chartBox, {
    x: xs,
    series: [
      { label: "median (hours)", values: series.map((s) => gap(s.row && s.row.p50_hours)) },
      { label: "p90 (hours)", values: series.map((s) => gap(s.row && s.row.p90_hours)) },
    ],
    yLabel: "hours",
  });
}

function monthTable(ctx, series) {
  const t = el("table", { class: "pg-table" });
  t.append(el("thead", {}, el("tr", {},
    el("th", { scope: "col" }, "Month"), el("th", { scope: "col", class: "num" }, "Leads"),
    el("th", { scope: "col", class: "num" }, "Median"), el("th", { scope: "col", class: "num" }, "p90"),
    el("th", { scope: "col", class: "num" }, "Mean"))));
  const body = el("tbody");
  for (const { month, row } of [...series].reverse()) {
    body.append(el("tr", {},
      el("th", { scope: "row" }, month.from.slice(0, 7)),
      el("td", { class: "num" }, row ? ctx.fmt.number(row.leads) : "0"),
      el("td", { class: "num" }, row ? hours(ctx, row.p50_hours) : "–"),
      el("td", { class: "num" }, row ? hours(ctx, row.p90_hours) : "–"),
      el("td", { class: "num" }, row ? hours(ctx, row.mean_hours) : "–")));
  }
  t.append(body);
  return el("div", { class: "pg-scroll" }, t);
}

const STEPS = [["lead", "mql"], ["mql", "sal"], ["sal", "sql"], ["sql", "opportunity"], ["opportunity", "customer"]];

function hours(ctx, h) {
  return h == null ? "–" : ctx.fmt.duration(h * 3600);
}

function label(code) {
  return code.replaceAll("_", " ");
}

function option(value, text, selected) {
  return el("option", { value, ...(selected ? { selected: "" } : {}) }, text);
}

// ---------------------------------------------------------------------------
// Shared by the pages of the `pages` branch.

/** An element with attributes and children (strings become text). */
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === false || v == null) continue;
    e.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c == null || c === "") continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

/** A titled section. */
export function section(title, ...children) {
  return el("section", { class: "pg-section" }, el("h2", {}, title), ...children);
}

/** An empty state: what is missing and what to do. */
export function empty(text) {
  return el("p", { class: "pg-empty", role: "status" }, text);
}

/** Adds a page's CSS once (a <style> element named by the page). */
export function style(name, css) {
  if (document.getElementById(`pg-css-${name}`)) return;
  if (!document.getElementById("pg-css-shared")) {
    document.head.append(el("style", { id: "pg-css-shared" }, SHARED_CSS));
  }
  document.head.append(el("style", { id: `pg-css-${name}` }, css));
}

/** `?from=…&to=…` for a period (empty for all time), plus extra parameters. */
export function periodQuery(period, extra = {}) {
  const q = new URLSearchParams();
  if (period) { q.set("from", period.from); q.set("to", period.to); }
  for (const [k, v] of Object.entries(extra)) if (v != null) q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : "";
}

/** "all time" or "1 Jan 2026 – 31 Mar 2026". */
export function describe(period) {
  return period ? `${period.from} to ${period.to}` : "all time";
}

/** The calendar months of a period (clipped to it), or, for all time,
 *  the twelve months up to the report's `as_of` date. */
export function months(period, asOf) {
  let from, to;
  if (period) { from = period.from; to = period.to; } else {
    const m = /(\d{4}-\d{2}-\d{2})/.exec(asOf || "");
    to = m ? m[1] : new Date().toISOString().slice(0, 10);
    const d = new Date(`${to}T00:00:00Z`);
    d.setUTCDate(1);
    d.setUTCMonth(d.getUTCMonth() - 11);
    from = d.toISOString().slice(0, 10);
  }
  const out = [];
  const cur = new Date(`${from}T00:00:00Z`);
  while (out.length < 36) {
    const start = cur.toISOString().slice(0, 10);
    const next = new Date(Date.UTC(cur.getUTCFullYear(), cur.getUTCMonth() + 1, 1));
    const last = new Date(next.getTime() - 86400000).toISOString().slice(0, 10);
    out.push({ from: start < from ? from : start, to: last > to ? to : last });
    if (last >= to) break;
    cur.setTime(next.getTime());
  }
  return out;
}

const SHARED_CSS = `
.pg-sub { color: var(--muted, #4b5563); margin: .25rem 0 1rem; max-width: 60rem; }
.pg-section { margin: 1.25rem 0; }
.pg-section h2 { font-size: 1.15rem; margin: 0 0 .5rem; }
.pg-empty { background: var(--panel, #f3f4f6); border-left: 4px solid var(--accent, #1d4ed8); padding: .75rem 1rem; border-radius: 4px; max-width: 60rem; }
.pg-controls { display: flex; flex-wrap: wrap; gap: .5rem .75rem; align-items: center; margin: .5rem 0 1rem; }
.pg-controls select, .pg-controls input, .pg-controls button { font: inherit; padding: .3rem .5rem; min-height: 2.25rem; }
.pg-cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(11rem, 1fr)); gap: .75rem; }
.pg-card { border: 1px solid var(--line, #d1d5db); border-radius: 6px; padding: .75rem; background: var(--card, #fff); }
.pg-card-on { border-color: var(--accent, #1d4ed8); box-shadow: 0 0 0 1px var(--accent, #1d4ed8); }
.pg-card-h { font-size: .85rem; color: var(--muted, #4b5563); }
.pg-big { font-size: 1.5rem; font-weight: 600; font-variant-numeric: tabular-nums; margin: .15rem 0; }
.pg-small { font-size: .85rem; color: var(--muted, #4b5563); }
.pg-scroll { overflow-x: auto; max-width: 100%; }
.pg-table { border-collapse: collapse; width: 100%; margin: .5rem 0; font-variant-numeric: tabular-nums; }
.pg-table th, .pg-table td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line, #e5e7eb); white-space: nowrap; }
.pg-table thead th { white-space: normal; vertical-align: bottom; }
.pg-table .num { text-align: right; }
.pg-chart { width: 100%; min-height: 240px; }
`;

const CSS = ``;
