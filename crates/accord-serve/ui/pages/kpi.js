// KPI wall: both teams' numbers for the period, each beside the previous
// period of as many days (the report API's `compare=previous`). Every
// figure is a column of the kpi, kpi_outcomes, sla_followup and
// sla_marketing reports; nothing is computed here.

// [column, label, kind, fewer is better, note under the label]. Columns of
// `kpi` unless `outcomes` (a column of `kpi_outcomes`).
const MARKETING = [
  ['leads', 'Leads', 'int'],
  ['mqls', 'MQLs', 'int'],
  ['marketing_sourced_pipeline_usd', 'Marketing-sourced pipeline', 'money'],
  ['marketing_influenced_pipeline_usd', 'Marketing-influenced pipeline', 'money', false,
    'opportunities created with a marketing touch in their attribution window', 'outcomes'],
];
const SALES = [
  ['sals', 'SALs (accepted)', 'int'],
  ['sqls', 'SQLs', 'int'],
  ['opportunities', 'Opportunities', 'int'],
  ['lead_to_opportunity', 'Lead-to-opportunity', 'pct', false,
    'opportunities created ÷ leads created, same period (not a cohort)', 'outcomes'],
  ['pipeline_created_usd', 'Pipeline created', 'money'],
  ['won_deals', 'Deals won', 'int'],
  ['won_usd', 'Won revenue', 'money'],
  ['win_rate', 'Win rate', 'pct', false, 'won ÷ (won + lost) of deals closed in the period', 'outcomes'],
  ['lost_deals', 'Deals lost', 'int', true],
];

function query(ctx, extra = {}) {
  const q = new URLSearchParams(extra);
  if (ctx.period?.from) q.set('from', ctx.period.from);
  if (ctx.period?.to) q.set('to', ctx.period.to);
  const s = q.toString();
  return s ? `?${s}` : '';
}

export async function render(root, ctx) {
  const { fmt } = ctx;
  const h = document.createElement('h1');
  h.textContent = 'KPI wall';
  root.append(h);
  const compare = !!(ctx.period?.from && ctx.period?.to);
  const extra = compare ? { compare: 'previous' } : {};
  const [kpi, outcomes, followup, marketing] = await Promise.all([
    ctx.api(`/v1/reports/kpi${query(ctx, extra)}`),
    ctx.api(`/v1/reports/kpi_outcomes${query(ctx, extra)}`),
    ctx.api(`/v1/reports/sla_followup${query(ctx)}`),
    ctx.api(`/v1/reports/sla_marketing${query(ctx)}`),
  ]);
  const rows = kpi.reports[0].rows;
  const all = rows.find((r) => r.month === '(all)');
  const own = outcomes.reports[0].rows.find((r) => r.month === '(all)') || {};
  const sub = document.createElement('p');
  sub.className = 'note';
  sub.dataset.testid = 'kpi-compared';
  sub.textContent = compare
    ? `${ctx.period.from} to ${ctx.period.to} compared with ${kpi.compared_with} (the previous period of as many days); figures ${kpi.as_of}.`
    : `All time; figures ${kpi.as_of}. Pick a period with both ends (above) to see each figure's change against the previous period.`;
  root.append(sub);
  if (!all || Number(all.leads) === 0 && Number(all.won_deals) === 0 && Number(all.mqls) === 0) {
    const p = document.createElement('p');
    p.className = 'empty';
    p.dataset.testid = 'kpi-empty';
    p.textContent = 'No leads, stage changes or deals in this period. Pick a longer period, or import data (accord import DIR).';
    root.append(p);
    return;
  }

  const sides = document.createElement('div');
  sides.className = 'sides';
  sides.append(
    side('Marketing', MARKETING, { kpi: all, outcomes: own }, fmt, compare),
    side('Sales', SALES, { kpi: all, outcomes: own }, fmt, compare),
  );
  root.append(sides);

  // Each side's SLA: sales' follow-up per MQL month (every rep), marketing's
  // MQLs against the regions' targets.
  const sla = document.createElement('div');
  sla.className = 'sides';
  const s1 = document.createElement('section');
  s1.className = 'side';
  s1.innerHTML = '<h2>Sales SLA: follow-up and decisions</h2>';
  const terms = followup.reports[0].terms || {};
  s1.append(ctx.table.create(
    followup.reports[0].rows.filter((r) => r.rep_id === '(all)'),
    [
      { key: 'mql_month', label: 'MQL month', format: fmt.month },
      { key: 'mqls', label: 'MQLs', numeric: true, format: fmt.int },
      { key: 'followed_up_24h_rate', label: `Followed up in ${terms.follow_up_hours ?? 24} h`, numeric: true, format: (v) => fmt.pct(v),
        testid: (r) => `kpi-followup-${r.mql_month}` },
      { key: 'decided_48h_rate', label: `Decided in ${terms.decide_hours ?? 48} h`, numeric: true, format: (v) => fmt.pct(v) },
    ],
    { empty: 'No MQLs entered in this period.', testid: 'kpi-sales-sla' },
  ));
  const s2 = document.createElement('section');
  s2.className = 'side';
  s2.innerHTML = '<h2>Marketing SLA: MQLs against target</h2>';
  s2.append(ctx.table.create(
    marketing.reports[0].rows,
    [
      { key: 'month', label: 'Month', format: fmt.month },
      { key: 'region', label: 'Region' },
      { key: 'mql_target', label: 'Target', numeric: true, format: fmt.int },
      { key: 'mqls', label: 'MQLs', numeric: true, format: fmt.int },
      { key: 'attainment', label: 'Attainment', numeric: true, format: (v) => fmt.pct(v, 0),
        testid: (r) => `kpi-attainment-${r.region}-${r.month}` },
      { key: 'acceptance_rate', label: 'Accepted by sales', numeric: true, format: (v) => fmt.pct(v, 0) },
    ],
    { empty: 'No MQL targets or MQLs in this period.', testid: 'kpi-marketing-sla', caption: 'Highlighted: a month whose target was missed.', rowClass: (r) => (r.met === false ? 'due-soon' : '') },
  ));
  sla.append(s1, s2);
  root.append(sla);

  const months = rows.filter((r) => r.month !== '(all)');
  if (months.length > 1) {
    const { figure, box } = ctx.chart.figure('Leads, MQLs, SALs and SQLs by month', 'kpi-chart');
    root.append(figure);
    ctx.chart.lines(box, {
      labels: months.map((r) => fmt.month(r.month)),
      series: [
        { label: 'Leads', values: months.map((r) => r.leads) },
        { label: 'MQLs', values: months.map((r) => r.mqls) },
        { label: 'SALs', values: months.map((r) => r.sals) },
        { label: 'SQLs', values: months.map((r) => r.sqls) },
      ],
      format: fmt.int,
    });
    const won = ctx.chart.figure('Pipeline created and won revenue by month', 'kpi-chart-money');
    root.append(won.figure);
    ctx.chart.lines(won.box, {
      labels: months.map((r) => fmt.month(r.month)),
      series: [
        { label: 'Pipeline created', values: months.map((r) => r.pipeline_created_usd) },
        { label: 'Won revenue', values: months.map((r) => r.won_usd) },
      ],
      format: fmt.money,
    });
  }
}

function side(title, list, rows, fmt, compare) {
  const s = document.createElement('section');
  s.className = 'side';
  const h = document.createElement('h2');
  h.textContent = title;
  const cards = document.createElement('div');
  cards.className = 'cards';
  for (const [key, label, kind, lowerIsBetter, note, table] of list) {
    const row = rows[table || 'kpi'];
    const f = { money: fmt.money, pct: (x) => fmt.pct(x) }[kind] || fmt.int;
    const c = document.createElement('div');
    c.className = 'card';
    c.innerHTML = '<div class="name"></div><div class="value"></div>';
    c.querySelector('.name').textContent = label;
    if (note) {
      const n = document.createElement('div');
      n.className = 'what';
      n.textContent = note;
      c.querySelector('.name').after(n);
    }
    const v = c.querySelector('.value');
    v.textContent = f(row[key]);
    v.dataset.testid = `kpi-${key}`;
    v.title = { money: fmt.moneyFull, pct: (x) => fmt.pct(x, 2) }[kind]?.(row[key]) ?? fmt.int(row[key]);
    if (compare) {
      const ch = row[`${key}_change`];
      const prev = row[`${key}_previous`];
      const d = document.createElement('div');
      d.className = `change ${fmt.changeClass(lowerIsBetter ? -ch : ch)}`;
      d.dataset.testid = `kpi-${key}-change`;
      d.textContent = kind === 'pct' ? fmt.deltaPoints(ch) : fmt.delta(ch, f, prev);
      const p = document.createElement('div');
      p.className = 'prev';
      p.textContent = `previous: ${f(prev)}`;
      c.append(d, p);
    }
    cards.append(c);
  }
  s.append(h, cards);
  return s;
}
