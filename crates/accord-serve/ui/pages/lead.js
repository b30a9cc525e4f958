// Lead detail: everything `accord lead show` says (GET /v1/leads/{id}),
// as facts, the score's lines and one timeline of stage changes, routing,
// touches and SLA clocks, the latest first.

export async function render(root, ctx) {
  const { fmt } = ctx;
  const id = ctx.params.get('id');
  const h = document.createElement('h1');
  h.textContent = id ? `Lead ${id}` : 'Lead';
  root.append(h);

  const f = document.createElement('form');
  f.className = 'filters';
  f.setAttribute('role', 'search');
  f.innerHTML = '<label>Lead id <input name="id" required data-testid="lead-id" placeholder="L0000001"></label><button type="submit">Open</button>';
  f.id.value = id ?? '';
  f.addEventListener('submit', (e) => {
    e.preventDefault();
    ctx.go(ctx.link('lead', { id: f.elements.id.value.trim() }));
  });
  root.append(f);
  if (!id) {
    const p = document.createElement('p');
    p.className = 'empty';
    p.textContent = 'Type a lead id above, or open a lead from the queue, the funnel or the SLA board.';
    root.append(p);
    return;
  }

  let lead;
  try {
    lead = await ctx.api(`/v1/leads/${encodeURIComponent(id)}`);
  } catch (e) {
    if (e.status !== 404) throw e;
    const p = document.createElement('p');
    p.className = 'error-box';
    p.setAttribute('role', 'alert');
    p.dataset.testid = 'lead-missing';
    p.textContent = `No lead ${id} that you may see. ${ctx.user.role === 'rep' ? 'A rep sees only their own leads.' : 'Check the id.'}`;
    root.append(p);
    return;
  }
  h.textContent = `${lead.name || lead.id}`;
  const sub = document.createElement('p');
  sub.className = 'note';
  sub.textContent = `${lead.id} · ${lead.title ?? ''}${lead.company ? ` at ${lead.company}` : ''} · as of ${fmt.time(lead.as_of)}, agreement version ${lead.agreement ?? '—'}`;
  root.append(sub);

  const facts = document.createElement('dl');
  facts.className = 'facts';
  facts.dataset.testid = 'lead-facts';
  const fact = (k, v, testid) => {
    const dt = document.createElement('dt');
    dt.textContent = k;
    const dd = document.createElement('dd');
    dd.textContent = v ?? '—';
    if (testid) dd.dataset.testid = testid;
    facts.append(dt, dd);
  };
  fact('Stage', `${lead.stage} since ${fmt.time(lead.stage_since)}`, 'lead-stage');
  fact('Score', `${fmt.int(lead.score)} (fit ${fmt.int(lead.fit)} + engagement ${fmt.int(lead.engagement)}; MQL at ${fmt.int(lead.mql_threshold)})`, 'lead-score');
  fact('Owner', lead.owner ? `${lead.owner_name ?? lead.owner} (${lead.owner})${lead.owner_by ? `, by ${lead.owner_by}` : ''}` : (lead.waiting_for_owner ? 'waiting for an owner' : 'none'), 'lead-owner');
  if (lead.routing?.length) fact('Routing', lead.routing.join('; '), 'lead-routing');
  fact('Account', lead.account ? `${lead.account_name ?? lead.account} (${lead.account}), ${lead.account_by ?? ''}` : 'not matched');
  fact('E-mail', lead.email);
  fact('Region', lead.region);
  fact('Created', fmt.time(lead.created_at));
  fact('Touches', fmt.int(lead.touch_count ?? lead.touches?.length));
  const p = lead.prediction;
  fact('Predicted', p
    ? `${fmt.pct(p.probability)} chance to reach ${p.stage} within ${p.within_days} days (average lead ${fmt.pct(p.average)}; model v${p.model_version}, from what was known ${p.cutoff_days} days after creation)`
    : 'no model adopted', 'lead-prediction');
  root.append(facts);
  if (p && (p.raised_by.length || p.lowered_by.length)) {
    const why = document.createElement('ul');
    why.dataset.testid = 'lead-prediction-factors';
    const item = (r, up) => {
      const li = document.createElement('li');
      li.textContent = `${up ? 'raised by' : 'lowered by'} ${r.words} (odds ${up ? '×' : '÷'}${fmt.decimal(up ? r.odds_factor : 1 / r.odds_factor)})`;
      why.append(li);
    };
    p.raised_by.forEach((r) => item(r, true));
    p.lowered_by.forEach((r) => item(r, false));
    root.append(why);
  }

  const h2 = document.createElement('h2');
  h2.textContent = 'Score';
  root.append(h2);
  root.append(ctx.table.create(lead.score_lines || [], [
    { key: 'part', label: 'Part', format: fmt.label },
    { key: 'rule', label: 'Rule' },
    { key: 'at', label: 'Touch at', format: fmt.time },
    { key: 'points', label: 'Points', numeric: true, format: fmt.int },
    { key: 'decay', label: 'Weight now', numeric: true, format: (v) => fmt.pct(v, 2) },
    { key: 'value', label: 'Counts', numeric: true, format: (v) => fmt.decimal(v, 2) },
  ], { empty: 'No scoring rule applies to this lead.' }));

  const h3 = document.createElement('h2');
  h3.textContent = 'Timeline';
  root.append(h3);
  const items = [];
  for (const s of lead.history || []) {
    items.push({ at: s.at, cls: s.by && s.by.startsWith('engine') ? 'decision' : '',
      text: `Stage ${s.from ?? '—'} → ${s.to}${s.reason ? ` (${fmt.label(s.reason)})` : ''}`, by: s.by, id: s.id });
  }
  for (const c of lead.clocks || []) {
    items.push({ at: c.started_at, cls: '', text: `${c.clock === 'follow_up' ? 'Follow-up' : 'Decision'} clock started, due ${fmt.time(c.due)}` });
    if (c.state === 'breached') items.push({ at: c.due, cls: 'breach', text: `${c.clock === 'follow_up' ? 'Follow-up' : 'Decision'} clock breached${c.breach ? ` (${c.breach})` : ''}` });
    else if (c.stopped_at) items.push({ at: c.stopped_at, cls: '', text: `${c.clock === 'follow_up' ? 'Follow-up' : 'Decision'} clock met` });
    else if (c.state === 'open') items.push({ at: c.due, cls: 'breach', text: `${c.clock === 'follow_up' ? 'Follow-up' : 'Decision'} clock due (open: ${fmt.duration(c.seconds_left)} left)` });
  }
  for (const t of lead.touches || []) {
    items.push({ at: t.at, cls: '', text: `${fmt.label(t.kind)} via ${fmt.label(t.channel)}${t.content ? `, content ${t.content}` : ''}${t.rep ? `, by ${t.rep}` : ''}` });
  }
  items.push({ at: lead.created_at, cls: '', text: 'Lead created' });
  items.sort((a, b) => ctx.table.compare(b.at, a.at));
  const ol = document.createElement('ol');
  ol.className = 'timeline';
  ol.dataset.testid = 'lead-timeline';
  for (const it of items) {
    const li = document.createElement('li');
    if (it.cls) li.className = it.cls;
    const t = document.createElement('time');
    t.dateTime = it.at ?? '';
    t.textContent = fmt.time(it.at);
    const p = document.createElement('div');
    p.textContent = it.text;
    if (it.by) {
      const by = document.createElement('span');
      by.className = 'note';
      by.textContent = ` — ${it.by}`;
      p.append(by);
    }
    li.append(t, p);
    ol.append(li);
  }
  root.append(ol);
  if ((lead.touch_count ?? 0) > (lead.touches?.length ?? 0)) {
    const p = document.createElement('p');
    p.className = 'note';
    p.textContent = `The latest ${fmt.int(lead.touches.length)} of ${fmt.int(lead.touch_count)} touches are shown.`;
    root.append(p);
  }
}
