// The dashboard in a real browser (Debian's chromium through
// playwright-core) against a real `accord serve` over a demo database.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, launch, loggedIn, open, shotsDir, int, sleep } from '../harness.js';

let server;
let browser;
let reps; // { rep, other, leadOfOther, mqls: [ids of rep's MQLs] }

const PERIOD = 'from=2026-02-01&to=2026-02-28';

before(async () => {
  server = await startServer();
  browser = await launch();
  // A rep with MQLs waiting, and a lead of another rep.
  const page = await server.api('/v1/leads?stage=mql&limit=1000');
  const byOwner = new Map();
  for (const l of page.leads) {
    if (!l.owner) continue;
    if (!byOwner.has(l.owner)) byOwner.set(l.owner, []);
    byOwner.get(l.owner).push(l.id);
  }
  const owners = [...byOwner.entries()].sort((a, b) => b[1].length - a[1].length);
  assert.ok(owners.length >= 2, 'the demo has MQLs of two reps at least');
  reps = { rep: owners[0][0], mqls: owners[0][1], other: owners[1][0], leadOfOther: owners[1][1][0] };
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('a bad token shows a clear login error, and no page', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${server.base}/`);
  await page.fill('[data-testid="login-token"]', 'acc_not_a_token');
  await page.click('[data-testid="login-submit"]');
  const err = page.locator('[data-testid="login-error"]');
  await err.waitFor({ state: 'visible' });
  assert.match(await err.textContent(), /this token is not known: check it was copied whole/);
  assert.equal(await page.locator('header.top').isVisible(), false);
  await page.screenshot({ path: join(shotsDir(), 'login-error-1280.png') });
  await context.close();
});

test('a manager sees the KPI and funnel figures the report API gives', async () => {
  const token = await server.token('sales_manager', reps.rep);
  const page = await loggedIn(browser, server.base, token);
  await open(page, `#/kpi?${PERIOD}`);
  const api = await server.api(`/v1/reports/kpi?${PERIOD}&compare=previous`);
  const all = api.reports[0].rows.find((r) => r.month === '(all)');
  for (const key of ['leads', 'mqls', 'sals', 'sqls', 'opportunities', 'won_deals', 'lost_deals']) {
    const shown = await page.textContent(`[data-testid="kpi-${key}"]`);
    assert.equal(shown, int(all[key]), `kpi ${key}`);
    const change = await page.textContent(`[data-testid="kpi-${key}-change"]`);
    const c = all[`${key}_change`];
    assert.ok(c === 0 ? change === 'no change' : change.startsWith(`${c > 0 ? '▲' : '▼'} ${int(Math.abs(c))}`), `kpi ${key} change: ${change} vs ${c}`);
  }
  for (const key of ['pipeline_created_usd', 'won_usd', 'marketing_sourced_pipeline_usd']) {
    const title = await page.getAttribute(`[data-testid="kpi-${key}"]`, 'title');
    assert.equal(title, `$${int(all[key])}`, `kpi ${key}`);
  }
  // accord's own figures (kpi_outcomes): win rate and lead-to-opportunity
  // as percentages with their change in points, influenced pipeline in full.
  const own = (await server.api(`/v1/reports/kpi_outcomes?${PERIOD}&compare=previous`))
    .reports[0].rows.find((r) => r.month === '(all)');
  const pct = (v) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);
  for (const key of ['win_rate', 'lead_to_opportunity']) {
    assert.equal(await page.textContent(`[data-testid="kpi-${key}"]`), pct(own[key]), `kpi ${key}`);
    const change = await page.textContent(`[data-testid="kpi-${key}-change"]`);
    const c = own[`${key}_change`];
    const want = c === null ? '—' : c === 0 ? 'no change' : `${c > 0 ? '▲' : '▼'} ${(Math.abs(c) * 100).toFixed(1)} pts`;
    assert.equal(change, want, `kpi ${key} change`);
  }
  assert.ok(own.win_rate > 0 && own.win_rate < 1, `a month of the demo wins some and loses some: ${own.win_rate}`);
  const influenced = await page.getAttribute('[data-testid="kpi-marketing_influenced_pipeline_usd"]', 'title');
  assert.equal(influenced, `$${int(own.marketing_influenced_pipeline_usd)}`);
  assert.ok(own.marketing_influenced_pipeline_usd > 0, 'the demo has influenced pipeline');
  // Funnel, all time and all channels.
  await open(page, '#/funnel');
  const funnel = await server.api('/v1/reports/funnel');
  const row = funnel.reports[0].rows.find((r) => r.cohort_month === '(all)' && r.source_channel === '(all)');
  for (const stage of ['leads', 'mql', 'sal', 'sql', 'opportunity', 'customer']) {
    assert.equal(await page.textContent(`[data-testid="funnel-(all)-${stage}"]`), int(row[stage]), `funnel ${stage}`);
  }
  const rate = await page.textContent('[data-testid="funnel-(all)-mql_to_sal"]');
  assert.equal(rate, `${(row.mql_to_sal * 100).toFixed(1)}%`);
  // A cell opens the list of its leads: a small cohort's customers.
  const cohort = funnel.reports[0].rows.find((r) => r.cohort_month !== '(all)' && r.source_channel === '(all)' && r.customer > 0 && r.customer < 50);
  await page.click(`[data-testid="funnel-${cohort.cohort_month}-customer"] a`);
  await page.waitForSelector('[data-testid="funnel-cell"] table');
  const listed = await page.locator('[data-testid="funnel-cell"] tbody tr').count();
  assert.equal(listed, cohort.customer, 'one row per lead of the cell');
  // Filters picked on the page: region, then persona; the figures are the
  // API's for the same filter, and smaller than the unfiltered ones.
  for (const [name, value] of [['region', 'EMEA'], ['persona', 'technical_buyer']]) {
    await page.evaluate(() => { delete document.body.dataset.ready; });
    await page.selectOption(`[data-testid="funnel-${name}"]`, value);
    await page.waitForFunction(() => document.body.dataset.ready === 'funnel');
  }
  const filtered = await server.api('/v1/reports/funnel?region=EMEA&persona=technical_buyer');
  const frow = filtered.reports[0].rows.find((r) => r.cohort_month === '(all)' && r.source_channel === '(all)');
  assert.ok(frow.leads > 0 && frow.leads < row.leads, `EMEA technical buyers: ${frow.leads} of ${row.leads}`);
  for (const stage of ['leads', 'mql', 'sal', 'sql', 'opportunity', 'customer']) {
    assert.equal(await page.textContent(`[data-testid="funnel-(all)-${stage}"]`), int(frow[stage]), `filtered funnel ${stage}`);
  }
  assert.match(page.url(), /region=EMEA/);
  assert.match(page.url(), /persona=technical_buyer/);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('time passes: an open clock counts down and becomes a breach on the SLA board', async () => {
  // A lead whose MQL entry was 24 h minus 20 s ago: its follow-up clock
  // (24 h) runs out 20 s from now, by the server's own clock.
  const at = new Date(Date.now() - (24 * 3600 - 20) * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
  const lead = {
    type: 'lead_created', lead_id: 'E2E0001', email: 'ana@northwind.example', seniority: 'vp', country: 'GB',
    region: 'EMEA', source_channel: 'referral', employees_reported: 800, industry_reported: 'software', created_at: at,
  };
  const touch = { type: 'touched', touch_id: 'E2E0001T', lead_id: 'E2E0001', occurred_at: at, kind: 'demo_request', channel: 'direct' };
  const r1 = await server.post('/v1/events', lead);
  const r2 = await server.post('/v1/events', touch);
  assert.equal(r2.lead.stage, 'mql', `the lead became an MQL: ${JSON.stringify([r1, r2])}`);
  // Routing may find every rep outside their hours now: given to the rep.
  await server.post('/v1/leads/E2E0001/reassign', { assignment_id: 'E2E0001B', rep_id: reps.rep });
  const page = await loggedIn(browser, server.base, server.admin);
  await open(page, '#/sla');
  const left = page.locator('[data-testid="sla-left-E2E0001-follow_up"]');
  await left.waitFor();
  assert.match(await left.textContent(), /^\d+ s$/, 'seconds left');
  await page.screenshot({ path: join(shotsDir(), 'sla-open-clock-1280.png'), fullPage: false });
  await sleep(22000);
  await open(page, '#/sla');
  assert.equal(await page.locator('[data-testid="sla-left-E2E0001-follow_up"]').count(), 0, 'no longer open');
  const breach = page.locator('[data-testid="sla-breach-table"] tr', { hasText: 'E2E0001' });
  await breach.first().waitFor();
  assert.match(await breach.first().textContent(), /Follow up/);
  const board = await server.api('/v1/sla?state=breached&limit=1000');
  const line = board.clocks.find((c) => c.lead === 'E2E0001' && c.clock === 'follow_up');
  assert.ok(line && line.breach, `the engine fired the breach: ${JSON.stringify(line)}`);
  await page.context().close();
});

test('the queue shows each lead\'s prediction as the API gives it, and the lead page its factors', async () => {
  // `accord demo` trains and adopts a model: the API's rows carry it.
  const token = await server.token('rep', reps.rep);
  const lead = reps.mqls[reps.mqls.length - 1];
  const api = await server.api(`/v1/leads/${lead}`);
  assert.ok(api.prediction, `the demo adopted a model: ${JSON.stringify(api.prediction)}`);
  const listed = (await server.api('/v1/leads?stage=mql&limit=1000')).leads.find((l) => l.id === lead);
  assert.equal(listed.prediction.probability, api.prediction.probability);
  const shown = `${new Intl.NumberFormat('en-US', { maximumFractionDigits: 1, minimumFractionDigits: 1 }).format(api.prediction.probability * 100)}%`;
  const page = await loggedIn(browser, server.base, token);
  await open(page, '#/queue');
  const row = page.locator('[data-testid="queue-mql"] tr', { hasText: lead });
  await row.first().waitFor();
  assert.ok((await row.first().textContent()).includes(shown), `queue row of ${lead} shows ${shown}`);
  await open(page, `#/lead?id=${lead}`);
  const fact = page.locator('[data-testid="lead-prediction"]');
  await fact.waitFor();
  assert.ok((await fact.textContent()).startsWith(shown), await fact.textContent());
  await page.context().close();
});

test('every rep\'s queue draws the most urgent MQLs first, the rest on request', async () => {
  // 100 rows are drawn at first; `rows=` lowers that for the demo's few MQLs.
  const all = (await server.api('/v1/leads?stage=mql&limit=1000')).leads;
  assert.ok(all.length > 20, `the demo has over 20 MQLs waiting: ${all.length}`);
  const page = await loggedIn(browser, server.base, server.admin);
  await open(page, '#/queue?owner=&rows=20');
  const rows = page.locator('[data-testid="queue-mql"] tbody tr');
  assert.equal(await rows.count(), 20);
  // The most urgent: the nearest deadlines, then the highest score.
  const urgent = [...all].sort((a, b) => (a.next_due ?? '\uffff').localeCompare(b.next_due ?? '\uffff') || b.score - a.score);
  assert.equal(await rows.first().locator('td').first().textContent(), urgent[0].id);
  assert.equal(await page.textContent('[data-testid="queue-mql-rest"]'),
    `The 20 most urgent are listed, the other ${int(all.length - 20)} are not. Show all ${int(all.length)}`);
  await page.click('[data-testid="queue-mql-all"]');
  assert.equal(await rows.count(), all.length);
  assert.equal(await page.locator('[data-testid="queue-mql-rest"]').count(), 0);
  // Without `rows=`, all 41-odd fit under the first 100.
  await open(page, '#/queue?owner=');
  assert.equal(await rows.count(), Math.min(100, all.length));
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a rep accepts a lead (it leaves the queue) and rejects one with a reason (on the rejections report)', async () => {
  const token = await server.token('rep', reps.rep);
  const page = await loggedIn(browser, server.base, token);
  await open(page, '#/queue');
  const [first, second] = reps.mqls;
  await page.click(`[data-testid="accept-${first}"]`);
  await page.waitForSelector(`[data-testid="accept-${first}"]`, { state: 'detached' });
  assert.match(await page.textContent('[data-testid="queue-status"]'), new RegExp(`${first}: stored, now sal`));
  await page.selectOption(`[data-testid="reason-${second}"]`, 'no_budget');
  await page.click(`[data-testid="reject-${second}"]`);
  await page.waitForSelector(`[data-testid="reject-${second}"]`, { state: 'detached' });
  // Opened again, the queue no longer lists them as MQLs; the accepted one waits to be qualified.
  await open(page, '#/queue');
  assert.equal(await page.locator(`[data-testid="queue-mql"] >> text=${first}`).count(), 0);
  assert.equal(await page.locator(`[data-testid="queue-mql"] >> text=${second}`).count(), 0);
  assert.equal(await page.locator(`[data-testid="qualify-${first}"]`).count(), 1);
  // The rejection is on the rejections report, as a manager reads it.
  const today = new Date().toISOString().slice(0, 10);
  const manager = await loggedIn(browser, server.base, await server.token('sales_manager', reps.rep));
  await open(manager, `#/sla?from=${today}&to=${today}`);
  const month = today.slice(0, 7);
  const cell = manager.locator(`[data-testid="rejections-${month}-no_budget"]`);
  await cell.waitFor();
  assert.equal(await cell.textContent(), '1');
  const api = await server.api(`/v1/reports/rejections?from=${today}&to=${today}`);
  assert.deepEqual(api.reports[0].rows.map((r) => [r.month, r.reason, r.rejections]), [[month, 'no_budget', 1]]);
  assert.deepEqual(page.problems, []);
  await page.context().close();
  await manager.context().close();
});

test("a rep cannot open another rep's lead", async () => {
  const token = await server.token('rep', reps.rep);
  const page = await loggedIn(browser, server.base, token);
  await open(page, `#/lead?id=${reps.leadOfOther}`);
  const missing = page.locator('[data-testid="lead-missing"]');
  await missing.waitFor();
  assert.match(await missing.textContent(), /A rep sees only their own leads/);
  assert.equal(await page.locator('[data-testid="lead-facts"]').count(), 0);
  // Their own lead opens.
  await open(page, `#/lead?id=${reps.mqls[2]}`);
  assert.match(await page.textContent('[data-testid="lead-owner"]'), new RegExp(reps.rep));
  // And the nav offers a rep no report page.
  assert.equal(await page.locator('[data-testid="nav-kpi"]').count(), 0);
  await page.context().close();
});

test('logout ends the session', async () => {
  const page = await loggedIn(browser, server.base, server.admin);
  await page.click('[data-testid="logout"]');
  await page.waitForSelector('[data-testid="login-token"]');
  await page.reload();
  await page.waitForSelector('[data-testid="login-token"]');
  const r = await page.evaluate(async () => (await fetch('/v1/reports/kpi')).status);
  assert.equal(r, 401);
  await page.context().close();
});

test('a screenshot of every page at 1280 and 375 px', async () => {
  const dir = shotsDir();
  const pages = ['kpi', 'funnel', 'velocity', 'sla', 'attribution', 'queue', 'lead', 'content', 'leaderboard', 'agreement'];
  for (const width of [1280, 375]) {
    const page = await loggedIn(browser, server.base, server.admin, width);
    // The webinar channel's largest win, picked on the attribution page.
    const won = (await server.api('/v1/reports/attribution_channel?won_by=webinar&limit=1')).reports[0].rows[0]?.opportunity_id ?? '';
    for (const name of pages) {
      let hash = `#/${name}`;
      if (name === 'kpi') hash += '?from=2026-01-01&to=2026-03-31';
      if (name === 'lead') hash += `?id=${reps.mqls[3]}`;
      if (name === 'queue') hash += `?owner=${reps.rep}`;
      if (name === 'funnel') hash += `?region=EMEA&cell=${encodeURIComponent('2025-06,(all),customer')}`;
      if (name === 'attribution') hash += `?by=${encodeURIComponent('channel:webinar')}&opp=${won}`;
      await open(page, hash);
      await sleep(150);
      await page.screenshot({ path: join(dir, `${name}-${width}.png`), fullPage: true });
    }
    assert.deepEqual(page.problems, [], `no script error at ${width} px`);
    await page.context().close();
  }
  const context = await browser.newContext({ viewport: { width: 375, height: 800 } });
  const login = await context.newPage();
  await login.goto(`${server.base}/`);
  await login.waitForSelector('[data-testid="login-token"]');
  await login.screenshot({ path: join(dir, 'login-375.png') });
  await context.close();
});
