// Rep queue: the caller's leads waiting for sales (MQLs to accept or
// reject with a reason, SALs to qualify), the most urgent clock first,
// then the highest score. A rep sees only their own leads (the API's
// rule: GET /v1/leads answers only what the caller may see).

// Rows drawn at first in each list, unless the link says `rows=N`.
const FIRST_ROWS = 100;

const STAGES = [
  ['mql', 'MQLs to accept or reject'],
  ['sal', 'Accepted leads to qualify'],
];

function actionId() {
  const a = new Uint32Array(2);
  crypto.getRandomValues(a);
  return `W${String(a[0] % 1e6).padStart(6, '0')}${String(a[1] % 1e6).padStart(6, '0')}`;
}

export async function render(root, ctx) {
  const { fmt } = ctx;
  const h = document.createElement('h1');
  h.textContent = 'Rep queue';
  root.append(h);
  const me = ctx.user;
  const owner = ctx.params.get('owner') || (me.role === 'rep' ? null : me.rep_id) || null;

  const intro = document.createElement('p');
  intro.className = 'note';
  intro.textContent = me.role === 'rep'
    ? 'Your leads waiting for you, the nearest deadline first, then the highest score.'
    : `Leads waiting for ${owner ? `rep ${owner}` : 'any rep you may see'}, the nearest deadline first.`;
  root.append(intro);

  if (me.role !== 'rep') {
    const f = document.createElement('form');
    f.className = 'filters';
    f.innerHTML = '<label>Owner (rep id) <input name="owner" data-testid="queue-owner" placeholder="all reps"></label><button type="submit">Show</button>';
    f.owner.value = owner ?? '';
    f.addEventListener('submit', (e) => {
      e.preventDefault();
      ctx.go(ctx.link('queue', { owner: f.owner.value.trim() || null }));
    });
    root.append(f);
  }

  const [reasons, ...lists] = await Promise.all([
    ctx.api('/v1/agreement').then((a) => a.rejection_reasons || []).catch(() => []),
    ...STAGES.map(([stage]) => {
      const q = new URLSearchParams({ stage, limit: '1000' });
      if (owner) q.set('owner', owner);
      return ctx.api(`/v1/leads?${q}`);
    }),
  ]);

  const status = document.createElement('p');
  status.className = 'status';
  status.setAttribute('role', 'status');
  status.dataset.testid = 'queue-status';
  root.append(status);

  STAGES.forEach(([stage, title], i) => {
    const leads = [...lists[i].leads].sort((a, b) => ctx.table.compare(a.next_due, b.next_due) || b.score - a.score);
    const h2 = document.createElement('h2');
    h2.textContent = `${title} (${fmt.int(leads.length)}${lists[i].next_cursor ? '+' : ''})`;
    root.append(h2);
    const box = document.createElement('div');
    root.append(box);
    // A manager looking at every rep can have thousands waiting: the most
    // urgent are drawn, the rest on request (each row has its own controls).
    const asked = Number.parseInt(ctx.params.get('rows'), 10);
    const first = asked > 0 ? asked : FIRST_ROWS;
    const draw = (all) => {
      const shown = all ? leads : leads.slice(0, first);
      box.replaceChildren(table(shown, stage));
      if (shown.length < leads.length) {
        const more = button(`Show all ${fmt.int(leads.length)}`, `queue-${stage}-all`, '');
        more.addEventListener('click', () => draw(true));
        const note = document.createElement('p');
        note.className = 'note';
        note.dataset.testid = `queue-${stage}-rest`;
        note.append(`The ${fmt.int(shown.length)} most urgent are listed, the other ${fmt.int(leads.length - shown.length)} are not. `, more);
        box.append(note);
      }
    };
    draw(false);
  });

  function table(leads, stage) {
    return ctx.table.create(leads, [
      { key: 'id', label: 'Lead', href: (r) => ctx.link('lead', { id: r.id }) },
      { key: 'actions', label: 'Actions', sortable: false, value: () => null, format: (v, r) => actions(r, stage, reasons, ctx, status) },
      { key: 'score', label: 'Score', numeric: true, format: fmt.int },
      // The adopted model's probability (the API's `prediction`; none adopted: —).
      { key: 'prediction', label: 'Predicted', numeric: true, value: (r) => r.prediction?.probability ?? null, format: (v) => (v == null ? '—' : fmt.pct(v)) },
      { key: 'next_due', label: 'Next deadline', format: (v) => due(v, fmt) },
      { key: 'fit', label: 'Fit', numeric: true, format: fmt.int },
      { key: 'engagement', label: 'Engagement', numeric: true, format: fmt.int },
      { key: 'owner', label: 'Owner' },
      { key: 'account', label: 'Account' },
    ], {
      empty: stage === 'mql'
        ? 'No MQLs waiting: new ones appear here as marketing hands them over.'
        : 'No accepted leads waiting to be qualified.',
      testid: `queue-${stage}`,
      rowClass: (r) => (r.next_due && Date.parse(r.next_due) < Date.now() ? 'breached' : ''),
    });
  }
}

function due(v, fmt) {
  if (!v) return '—';
  const left = (Date.parse(v) - Date.now()) / 1000;
  return left < 0 ? `${fmt.time(v)} (overdue)` : `${fmt.duration(left)} left`;
}

function actions(lead, stage, reasons, ctx, status) {
  const box = document.createElement('div');
  box.className = 'actions';
  box.dataset.testid = `actions-${lead.id}`;
  const body = (extra = {}) => ({
    transition_id: actionId(),
    ...(ctx.user.role === 'rep' ? {} : { rep_id: lead.owner }),
    ...extra,
  });
  const run = async (what, extra, button) => {
    button.disabled = true;
    status.textContent = `${what} ${lead.id}…`;
    try {
      const r = await ctx.send('POST', `/v1/leads/${encodeURIComponent(lead.id)}/${what}`, body(extra));
      const stageNow = r.lead?.stage ?? '?';
      status.textContent = `${lead.id}: ${r.result?.outcome ?? 'done'}, now ${stageNow}.`;
      box.closest('tr')?.remove();
    } catch (e) {
      status.textContent = `${lead.id}: ${e.message}`;
      button.disabled = false;
    }
  };
  if (stage === 'mql') {
    const accept = button('Accept', `accept-${lead.id}`, 'primary');
    accept.addEventListener('click', () => run('accept', {}, accept));
    const sel = document.createElement('select');
    sel.setAttribute('aria-label', `Reason to reject ${lead.id}`);
    sel.dataset.testid = `reason-${lead.id}`;
    sel.innerHTML = '<option value="">Reason…</option>';
    for (const r of reasons) {
      const o = document.createElement('option');
      o.value = r;
      o.textContent = ctx.fmt.label(r);
      sel.append(o);
    }
    const reject = button('Reject', `reject-${lead.id}`, 'danger');
    reject.addEventListener('click', () => {
      if (!sel.value) {
        status.textContent = `${lead.id}: pick a reason to reject it.`;
        sel.focus();
        return;
      }
      run('reject', { reason: sel.value }, reject);
    });
    box.append(accept, sel, reject);
  } else {
    const q = button('Qualify', `qualify-${lead.id}`, 'primary');
    q.addEventListener('click', () => run('qualify', {}, q));
    box.append(q);
  }
  return box;
}

function button(text, testid, cls) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = text;
  b.className = cls;
  b.dataset.testid = testid;
  return b;
}
