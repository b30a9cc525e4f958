// Funnel: each monthly cohort (leads created in the month) reaching each
// stage, with the stage-to-stage conversion rates, for the leads of one
// source channel, region and persona (each or all: the report's `channel`,
// `region`, `persona` parameters); a count opens the list of its leads (the
// funnel report's --explain, under the same filter). Figures: the funnel
// report's columns.

const STAGES = ['leads', 'mql', 'sal', 'sql', 'opportunity', 'customer'];
const LABELS = { leads: 'Leads', mql: 'MQL', sal: 'SAL', sql: 'SQL', opportunity: 'Opportunity', customer: 'Customer' };
const RATES = [
  ['lead_to_mql', 'Lead→MQL'],
  ['mql_to_sal', 'MQL→SAL'],
  ['sal_to_sql', 'SAL→SQL'],
  ['sql_to_opportunity', 'SQL→Opp'],
  ['opportunity_to_customer', 'Opp→Customer'],
];

// The contract's vocabularies (the kit's README), as the filters offer them.
const CHANNELS = ['paid_search', 'paid_social', 'organic_search', 'email', 'webinar', 'event', 'content_syndication', 'referral', 'partner', 'direct', 'outbound'];
const REGIONS = ['NA', 'EMEA', 'APAC', 'LATAM'];
const PERSONAS = ['executive_buyer', 'technical_buyer', 'practitioner', 'finance', '(declared)', '(none)'];
const FILTERS = [
  { name: 'channel', label: 'Source channel', all: 'All channels', words: CHANNELS },
  { name: 'region', label: 'Region', all: 'All regions', words: REGIONS, show: (w) => w },
  {
    name: 'persona', label: 'Persona', all: 'All personas', words: PERSONAS,
    show: (w, fmt) => (w === '(declared)' ? 'Declared by the agreement' : w === '(none)' ? 'No persona' : fmt.label(w)),
  },
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
  h.textContent = 'Funnel';
  root.append(h);
  // The filters in force, as the API takes them (absent: all).
  const chosen = {};
  for (const f of FILTERS) {
    const w = ctx.params.get(f.name);
    if (w && f.words.includes(w)) chosen[f.name] = w;
  }
  const data = await ctx.api(`/v1/reports/funnel${query(ctx, chosen)}`);
  const rows = data.reports[0].rows;
  const channel = chosen.channel || '(all)';

  const filters = document.createElement('form');
  filters.className = 'filters';
  filters.setAttribute('aria-label', 'Filters');
  for (const f of FILTERS) {
    const label = document.createElement('label');
    label.textContent = f.label;
    const sel = document.createElement('select');
    sel.name = f.name;
    sel.dataset.testid = `funnel-${f.name}`;
    for (const w of ['(all)', ...f.words]) {
      const o = document.createElement('option');
      o.value = w;
      o.textContent = w === '(all)' ? f.all : (f.show ? f.show(w, fmt) : fmt.label(w));
      o.selected = w === (chosen[f.name] || '(all)');
      sel.append(o);
    }
    sel.addEventListener('change', () => ctx.go(ctx.link('funnel', { ...chosen, [f.name]: sel.value === '(all)' ? null : sel.value, cell: null })));
    label.append(sel);
    filters.append(label);
  }
  root.append(filters);

  const mine = rows.filter((r) => r.source_channel === channel);
  const all = mine.find((r) => r.cohort_month === '(all)');
  const which = FILTERS.filter((f) => chosen[f.name]).map((f) => (f.show ? f.show(chosen[f.name], fmt) : fmt.label(chosen[f.name])));
  if (!all || Number(all.leads) === 0) {
    const p = document.createElement('p');
    p.className = 'empty';
    p.textContent = which.length
      ? `No leads of ${which.join(', ')} were created in this period. Pick another filter or a longer period.`
      : 'No leads were created in this period. Pick a longer period (the funnel counts leads by the month they were created).';
    root.append(p);
    return;
  }

  // The stages of the whole period as bars.
  const { figure, box } = ctx.chart.figure(`Leads reaching each stage${which.length ? ` (${which.join(', ')})` : ''}`, 'funnel-chart');
  root.append(figure);
  ctx.chart.bars(box, {
    labels: STAGES.map((s) => LABELS[s]),
    series: [{ label: 'Leads', values: STAGES.map((s) => all[s]) }],
    format: fmt.int,
    height: 220,
  });

  const cell = ctx.params.get('cell');
  const cols = [
    { key: 'cohort_month', label: 'Cohort', format: (v) => (v === '(all)' ? 'All cohorts' : fmt.month(v)) },
    ...STAGES.map((s) => ({
      key: s,
      label: LABELS[s],
      numeric: true,
      format: fmt.int,
      href: s === 'leads' ? null : (r) => Number(r[s]) === 0 ? null : ctx.link('funnel', { ...chosen, cell: `${r.cohort_month},${channel},${s}` }),
      testid: (r) => `funnel-${r.cohort_month}-${s}`,
    })),
    ...RATES.map(([k, l]) => ({ key: k, label: l, numeric: true, format: (v) => fmt.pct(v), testid: (r) => `funnel-${r.cohort_month}-${k}` })),
  ];
  const ordered = [all, ...mine.filter((r) => r.cohort_month !== '(all)')];
  root.append(ctx.table.create(ordered, cols, {
    caption: 'Leads of each cohort that reached each stage (or a later one). Select a count to list its leads.',
    testid: 'funnel-table',
  }));

  if (cell) {
    const [month, ch, stage] = cell.split(',');
    const sec = document.createElement('section');
    sec.dataset.testid = 'funnel-cell';
    const h2 = document.createElement('h2');
    const rest = FILTERS.filter((f) => f.name !== 'channel' && chosen[f.name]).map((f) => f.show(chosen[f.name], fmt));
    h2.textContent = `Leads of ${month === '(all)' ? 'all cohorts' : fmt.month(month)}, ${[ch === '(all)' ? 'all channels' : fmt.label(ch), ...rest].join(', ')}, reaching ${LABELS[stage] || stage}`;
    sec.append(h2);
    root.append(sec);
    try {
      const ex = await ctx.api(`/v1/reports/funnel${query(ctx, { ...chosen, explain: cell, limit: '200' })}`);
      const leads = ex.reports[0].rows;
      sec.append(ctx.table.create(leads, [
        { key: 'lead_id', label: 'Lead', href: (r) => ctx.link('lead', { id: r.lead_id }) },
        { key: 'created_at', label: 'Created', format: fmt.time },
        { key: 'source_channel', label: 'Channel', format: fmt.label },
        { key: 'furthest_stage', label: 'Furthest stage', format: (v) => LABELS[v] || v },
        { key: 'recycled', label: 'Recycled', format: (v) => (v ? 'yes' : 'no') },
        { key: 'disqualified', label: 'Disqualified', format: (v) => (v ? 'yes' : 'no') },
      ], { empty: 'No leads in this cell.', caption: leads.length >= 200 ? 'The first 200 leads.' : null }));
    } catch (e) {
      const p = document.createElement('p');
      p.className = 'error-box';
      p.textContent = e.message;
      sec.append(p);
    }
    h2.tabIndex = -1;
  }
}
