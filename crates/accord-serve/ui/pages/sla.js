// SLA board: sales' open clocks with the time left (counting down here
// from the API's seconds_left), breaches and escalations (GET /v1/sla),
// compliance per rep (sla_followup) and marketing's MQL targets per region
// (GET /v1/sla's months: so far and projected).

function query(ctx, extra = {}) {
  const q = new URLSearchParams(extra);
  if (ctx.period?.from) q.set('from', ctx.period.from);
  if (ctx.period?.to) q.set('to', ctx.period.to);
  const s = q.toString();
  return s ? `?${s}` : '';
}

let timer = null;

export async function render(root, ctx) {
  const { fmt } = ctx;
  if (timer) clearInterval(timer);
  const h = document.createElement('h1');
  h.textContent = 'SLA board';
  root.append(h);
  const owner = ctx.params.get('owner');
  const more = ctx.params.get('more') === '1';
  const q = (state, limit) => `/v1/sla?${new URLSearchParams({ state, limit: String(limit), ...(owner ? { owner } : {}) })}`;
  const reports = ctx.may('GET /v1/reports/{name}');
  const [open, breached, followup, rejections] = await Promise.all([
    ctx.api(q('open', 100)),
    ctx.api(q('breached', more ? 200 : 15)),
    reports ? ctx.api(`/v1/reports/sla_followup${query(ctx)}`) : Promise.resolve(null),
    reports ? ctx.api(`/v1/reports/rejections${query(ctx)}`) : Promise.resolve(null),
  ]);
  const loaded = Date.now();

  const cards = document.createElement('div');
  cards.className = 'cards';
  for (const [label, value, id] of [
    ['Open clocks', open.open, 'sla-open'],
    ['Breached clocks', open.breached, 'sla-breached'],
    ['Escalations', open.escalations_total, 'sla-escalations'],
  ]) {
    const c = document.createElement('div');
    c.className = 'card';
    c.innerHTML = '<div class="name"></div><div class="value"></div>';
    c.querySelector('.name').textContent = label;
    const v = c.querySelector('.value');
    v.textContent = fmt.int(value);
    v.dataset.testid = id;
    cards.append(c);
  }
  root.append(cards);
  const asOf = document.createElement('p');
  asOf.className = 'note';
  asOf.textContent = `Clocks as of ${fmt.time(open.as_of)} (this server's clock; the list refreshes when you reopen the page).`;
  root.append(asOf);

  // Open clocks, the nearest deadline first, counting down.
  const h2 = document.createElement('h2');
  h2.textContent = 'Open clocks';
  root.append(h2);
  const left = (r) => (r.seconds_left === null ? null : r.seconds_left - Math.floor((Date.now() - loaded) / 1000));
  const openTable = ctx.table.create(open.clocks, [
    { key: 'lead', label: 'Lead', href: (r) => ctx.link('lead', { id: r.lead }) },
    { key: 'clock', label: 'Clock', format: (v) => (v === 'follow_up' ? 'Follow up' : 'Decide') },
    { key: 'owner', label: 'Owner' },
    { key: 'due', label: 'Due', format: fmt.time },
    { key: 'seconds_left', label: 'Time left', numeric: true, format: (v, r) => timeLeft(left(r), fmt), testid: (r) => `sla-left-${r.lead}-${r.clock}` },
    { key: 'attempts', label: 'Attempts', numeric: true, format: (v, r) => (v === null ? '—' : `${v} of ${r.attempts_promised ?? '?'}`) },
  ], { empty: 'No clock is running: every MQL has been followed up and decided. New MQLs start clocks as they arrive.', testid: 'sla-open-table',
    rowClass: (r) => (left(r) !== null && left(r) < 3600 ? 'due-soon' : '') });
  root.append(openTable);
  timer = setInterval(() => {
    if (!openTable.isConnected) { clearInterval(timer); return; }
    for (const r of open.clocks) {
      const td = openTable.querySelector(`[data-testid="sla-left-${CSS.escape(r.lead)}-${r.clock}"]`);
      if (td) td.textContent = timeLeft(left(r), fmt);
    }
  }, 1000);

  const h3 = document.createElement('h2');
  h3.textContent = 'Breaches';
  root.append(h3);
  root.append(ctx.table.create(breached.clocks, [
    { key: 'lead', label: 'Lead', href: (r) => ctx.link('lead', { id: r.lead }) },
    { key: 'clock', label: 'Clock', format: (v) => (v === 'follow_up' ? 'Follow up' : 'Decide') },
    { key: 'owner', label: 'Owner' },
    { key: 'due', label: 'Was due', format: fmt.time },
    { key: 'stopped_at', label: 'Met late at', format: fmt.time },
    { key: 'breach', label: 'Breach', format: (v) => (v == null ? 'in imported history' : `fired by accord (event ${v})`) },
  ], { empty: 'No breaches: every clock was met in time.', testid: 'sla-breach-table', rowClass: () => 'breached',
    caption: breached.breached > breached.clocks.length ? `The latest ${fmt.int(breached.clocks.length)} of ${fmt.int(breached.breached)} breaches.` : null }));
  if (!more && breached.breached > breached.clocks.length) {
    const a = document.createElement('a');
    a.href = ctx.link('sla', { owner, more: '1' });
    a.textContent = 'Show more breaches';
    root.append(a);
  }

  const h4 = document.createElement('h2');
  h4.textContent = 'Escalations';
  root.append(h4);
  root.append(ctx.table.create(open.escalations, [
    { key: 'at', label: 'At', format: fmt.time },
    { key: 'step', label: 'Step', format: fmt.label },
    { key: 'on', label: 'On', format: fmt.label },
    { key: 'lead', label: 'About', format: (v, r) => v ?? `${r.region ?? ''} ${fmt.month(r.month)}`, href: (r) => (r.lead ? ctx.link('lead', { id: r.lead }) : null) },
    { key: 'notify', label: 'Told', format: fmt.label },
    { key: 'person', label: 'Person' },
  ], { empty: 'No escalation has fired.', testid: 'sla-escalation-table' }));

  // Per rep and per reason: one month at a time (the latest by default).
  const months = [...new Set([
    ...(followup ? followup.reports[0].rows.map((r) => r.mql_month) : []),
    ...(rejections ? rejections.reports[0].rows.map((r) => r.month) : []),
  ])].sort().reverse();
  // By default the latest month with MQLs entered (a month holding only a
  // rejection would show an empty compliance table).
  const withMqls = followup ? followup.reports[0].rows.map((r) => r.mql_month).sort().reverse() : [];
  const month = ctx.params.get('month') || withMqls[0] || months[0] || null;
  if (followup && months.length) {
    const f = document.createElement('form');
    f.className = 'filters';
    const l = document.createElement('label');
    l.textContent = 'Month (compliance per rep, rejections)';
    const sel = document.createElement('select');
    sel.dataset.testid = 'sla-month';
    for (const m of months) {
      const o = document.createElement('option');
      o.value = m;
      o.textContent = fmt.month(m);
      o.selected = m === month;
      sel.append(o);
    }
    sel.addEventListener('change', () => ctx.go(ctx.link('sla', { owner, month: sel.value })));
    l.append(sel);
    f.append(l);
    root.append(f);
  }
  if (followup) {
    const h5 = document.createElement('h2');
    h5.textContent = `Sales compliance per rep, ${fmt.month(month)}`;
    root.append(h5);
    const terms = followup.reports[0].terms || {};
    // Hundreds of reps: the month's line for all of them, then the 25 with
    // the lowest follow-up rate (those to talk to), unless all are asked for.
    const inMonth = followup.reports[0].rows.filter((r) => r.mql_month === month);
    const reps = inMonth.filter((r) => r.rep_id !== '(all)');
    let shown = inMonth;
    if (reps.length > 25 && ctx.params.get('reps') !== 'all') {
      const worst = [...reps].sort((a, b) => (a.followed_up_24h_rate ?? 1) - (b.followed_up_24h_rate ?? 1)).slice(0, 25);
      shown = inMonth.filter((r) => r.rep_id === '(all)' || worst.includes(r));
      const p = document.createElement('p');
      p.className = 'note';
      p.dataset.testid = 'sla-followup-worst';
      p.append(`The 25 reps of ${fmt.int(reps.length)} with the lowest follow-up rate, and all reps together. `);
      const a = document.createElement('a');
      a.href = ctx.link('sla', { owner, month, reps: 'all' });
      a.textContent = `Show all ${fmt.int(reps.length)} reps`;
      p.append(a);
      root.append(p);
    }
    root.append(ctx.table.create(shown, [
      { key: 'mql_month', label: 'MQL month', format: fmt.month },
      { key: 'rep_id', label: 'Rep', format: (v) => (v === '(all)' ? 'All reps' : v) },
      { key: 'mqls', label: 'MQLs', numeric: true, format: fmt.int },
      { key: 'followed_up_24h_rate', label: `Followed up in ${terms.follow_up_hours ?? 24} h`, numeric: true, format: (v) => fmt.pct(v) },
      { key: 'never_followed_up', label: 'Never followed up', numeric: true, format: fmt.int },
      { key: 'median_first_touch_minutes', label: 'Median first touch', numeric: true, format: (v) => fmt.duration(v === null ? null : v * 60) },
      { key: 'decided_48h_rate', label: `Decided in ${terms.decide_hours ?? 48} h`, numeric: true, format: (v) => fmt.pct(v) },
    ], { empty: months.length > 1 ? `No MQL entered in ${fmt.month(month)}: pick another month above.` : 'No MQL entered in this period.', testid: 'sla-followup-table', sortKey: 'rep_id', sortDir: 1 }));
  }

  if (rejections) {
    const h = document.createElement('h2');
    h.textContent = `Sales' rejections by reason, ${fmt.month(month)}`;
    root.append(h);
    root.append(ctx.table.create(rejections.reports[0].rows.filter((r) => r.month === month), [
      { key: 'month', label: 'Month', format: fmt.month },
      { key: 'reason', label: 'Reason', format: fmt.label },
      { key: 'rejections', label: 'Rejections', numeric: true, format: fmt.int, testid: (r) => `rejections-${r.month}-${r.reason}` },
      { key: 'recycled', label: 'Recycled', numeric: true, format: fmt.int },
      { key: 'disqualified', label: 'Disqualified', numeric: true, format: fmt.int },
      { key: 'share', label: 'Share of the month', numeric: true, format: (v) => fmt.pct(v) },
    ], { empty: months.length > 1 ? `No MQL was rejected in ${fmt.month(month)}: pick another month above.` : 'No MQL was rejected in this period.', testid: 'sla-rejections-table', sortKey: 'month', sortDir: -1 }));
  }

  const h6 = document.createElement('h2');
  h6.textContent = 'Marketing: MQLs against target per region, the latest three months';
  root.append(h6);
  const shownMonths = [...new Set(open.marketing.map((m) => m.month))].sort().slice(-3);
  const recent = open.marketing.filter((m) => shownMonths.includes(m.month));
  root.append(ctx.table.create(recent, [
    { key: 'month', label: 'Month', format: fmt.month },
    { key: 'region', label: 'Region' },
    { key: 'mql_target', label: 'Target', numeric: true, format: fmt.int },
    { key: 'mqls', label: 'MQLs so far', numeric: true, format: fmt.int },
    { key: 'attainment', label: 'Attainment', numeric: true, format: (v) => fmt.pct(v, 0) },
    { key: 'projected', label: 'Projected', numeric: true, format: fmt.int },
    { key: 'acceptance_rate', label: 'Accepted by sales', numeric: true, format: (v) => fmt.pct(v, 0) },
    { key: 'target_missed', label: 'Missed', format: (v, r) => [v ? 'target' : '', r.acceptance_missed ? 'acceptance' : ''].filter(Boolean).join(', ') || '—' },
  ], { empty: 'No MQL targets: add [[targets]] to the data or the agreement.', testid: 'sla-marketing-table', sortKey: 'month', sortDir: -1,
    rowClass: (r) => (r.target_missed || r.acceptance_missed ? 'due-soon' : '') }));
}

function timeLeft(secs, fmt) {
  if (secs === null) return '—';
  if (secs <= 0) return 'due now';
  return fmt.duration(secs);
}
