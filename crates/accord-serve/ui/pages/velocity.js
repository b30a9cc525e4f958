// Velocity: time from one funnel stage to the next (median and p90), for
// the period and month by month. Reads GET /v1/reports/velocity, once for
// the period and once per month of it.
//
// This module also holds the few DOM helpers the pages of the `pages`
// branch share (el, section, empty, style, periodQuery, months).

export async function render(root, ctx) {
  const { fmt } = ctx;
  style("velocity", "");
  root.append(el("h1", {}, "Velocity"));
  root.append(el("p", { class: "note" }, "Time from a lead's first entry into a stage to its first entry into the next: half of the leads took less than the median, nine in ten less than p90."));
  const whole = await ctx.api(`/v1/reports/velocity${periodQuery(ctx.period)}`);
  const rows = whole.reports[0].rows;
  if (rows.length === 0) {
    root.append(empty(ctx.period
      ? "No lead moved from one stage to the next in this period: pick a longer period (the presets above), or import or send events (`accord import`, POST /v1/events)."
      : "No lead has moved from one stage to the next yet: import history with `accord import` or send events to POST /v1/events."));
    return;
  }
  const channels = [...new Set(rows.map((r) => r.source_channel))].filter((c) => c !== "(all)").sort();
  const steps = STEPS.filter((s) => rows.some((r) => r.from_stage === s[0] && r.to_stage === s[1]));
  const channel = channels.includes(ctx.params.get("channel")) ? ctx.params.get("channel") : "(all)";
  const key = (s) => `${s[0]}-${s[1]}`;
  const step = steps.find((s) => key(s) === ctx.params.get("step")) || steps[0];

  // Controls: a channel and a step; each change is a link (the hash, period kept).
  const chSel = el("select", { id: "vel-channel", "data-testid": "velocity-channel" },
    ...["(all)", ...channels].map((c) => option(c, c === "(all)" ? "Every channel" : fmt.label(c), c === channel)));
  const stSel = el("select", { id: "vel-step", "data-testid": "velocity-step" }, ...steps.map((s) => option(key(s), `${s[0]} → ${s[1]}`, s === step)));
  const go = () => ctx.go(ctx.link("velocity", { channel: chSel.value === "(all)" ? null : chSel.value, step: stSel.value }));
  chSel.addEventListener("change", go);
  stSel.addEventListener("change", go);
  root.append(el("div", { class: "filters" },
    el("label", {}, "Source channel", chSel), el("label", {}, "Step over time", stSel)));

  // The period: every step for the chosen channel.
  const mine = rows.filter((r) => r.source_channel === channel);
  const cards = el("div", { class: "cards" });
  for (const s of steps) {
    const r = mine.find((x) => x.from_stage === s[0] && x.to_stage === s[1]);
    const id = key(s);
    cards.append(el("div", { class: "card" + (s === step ? " pg-card-on" : "") },
      el("div", { class: "name" }, `${s[0]} → ${s[1]}`),
      el("div", { class: "value", "data-testid": `velocity-p50-${id}` }, r ? fmt.hours(r.p50_hours) : "—"),
      r ? el("div", { class: "prev" }, "median · p90 ", el("span", { "data-testid": `velocity-p90-${id}` }, fmt.hours(r.p90_hours)),
        " · ", el("span", { "data-testid": `velocity-leads-${id}` }, fmt.int(r.leads)), " leads")
        : el("div", { class: "prev" }, "no lead made this step")));
  }
  root.append(section(`${channel === "(all)" ? "Every channel" : fmt.label(channel)}, ${describe(ctx.period)}`, cards));

  // Month by month: one request per month of the period.
  const spans = months(ctx.period, whole.as_of);
  const answers = await Promise.all(spans.map((m) => ctx.api(`/v1/reports/velocity${periodQuery(m)}`)));
  const all = spans.map((m, i) => ({
    month: m,
    row: answers[i].reports[0].rows.find((x) => x.from_stage === step[0] && x.to_stage === step[1] && x.source_channel === channel) || null,
  }));
  // Months before the first with this step are left out (the log starts later).
  const firstSeen = all.findIndex((s) => s.row);
  const series = firstSeen > 0 ? all.slice(firstSeen) : all;
  const title = `${step[0]} → ${step[1]} by month`;
  if (series.every((s) => !s.row)) {
    root.append(section(title, empty("No lead made this step in any month of the period: pick another step, channel or a longer period.")));
    return;
  }
  const { figure, box } = ctx.chart.figure(`${title}: median and p90`, "velocity-chart");
  const out = section(title, figure);
  root.append(out);
  ctx.chart.lines(box, {
    labels: series.map((s) => fmt.month(s.month.from.slice(0, 7))),
    series: [
      { label: "Median", values: series.map((s) => s.row?.p50_hours ?? null) },
      { label: "p90", values: series.map((s) => s.row?.p90_hours ?? null) },
    ],
    format: fmt.hours,
  });
  out.append(ctx.table.create([...series].reverse().map((s) => ({ month: s.month.from.slice(0, 7), ...(s.row || { leads: 0 }) })), [
    { key: "month", label: "Month", format: fmt.month, testid: (r) => `velocity-month-${r.month}` },
    { key: "leads", label: "Leads", numeric: true, format: fmt.int },
    { key: "p50_hours", label: "Median", numeric: true, format: fmt.hours },
    { key: "p90_hours", label: "p90", numeric: true, format: fmt.hours },
    { key: "mean_hours", label: "Mean", numeric: true, format: fmt.hours },
  ], { testid: "velocity-months" }));
}

const STEPS = [["lead", "mql"], ["mql", "sal"], ["sal", "sql"], ["sql", "opportunity"], ["opportunity", "customer"]];

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
  return el("p", { class: "empty", role: "status" }, text);
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
  if (period?.from) q.set("from", period.from);
  if (period?.to) q.set("to", period.to);
  for (const [k, v] of Object.entries(extra)) if (v != null) q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : "";
}

/** "all time" or "1 Jan 2026 – 31 Mar 2026". */
export function describe(period) {
  return period ? `${period.from || "the start"} to ${period.to || "today"}` : "all time";
}

/** The calendar months of a period (clipped to it), or, for all time,
 *  the twelve months up to the report's `as_of` date. */
export function months(period, asOf) {
  const m = /(\d{4}-\d{2}-\d{2})/.exec(asOf || "");
  const to = period?.to || (m ? m[1] : new Date().toISOString().slice(0, 10));
  let from = period?.from;
  if (!from) {
    const d = new Date(`${to}T00:00:00Z`);
    d.setUTCDate(1);
    d.setUTCMonth(d.getUTCMonth() - 11);
    from = d.toISOString().slice(0, 10);
  }
  const out = [];
  const cur = new Date(`${from.slice(0, 7)}-01T00:00:00Z`);
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
.pg-section { margin: 20px 0; }
.pg-section > h2 { margin: 0 0 8px; }
.pg-card-on { border-color: var(--accent); box-shadow: 0 0 0 1px var(--accent); }
.pg-bar { display: inline-block; height: .7rem; background: var(--accent); opacity: .8; vertical-align: middle; border-radius: 2px; margin-right: 6px; }
.pg-wrap { white-space: normal; display: inline-block; min-width: 14rem; max-width: 26rem; }
`;
