// The velocity, attribution, content, leaderboard and agreement pages in a
// real browser: the figures they show are the report API's, their controls
// work from the keyboard, and the agreement's diff is the change adopted.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, loggedIn, open, int } from '../harness.js';

let server;
let browser;
let analyst;

before(async () => {
  server = await startServer();
  browser = await launch();
  analyst = await server.token('analyst');
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const dollars = (n) => `$${int(n)}`;

test('the leaderboard shows each rep\'s won revenue and new logos as the report gives them', async () => {
  const page = await loggedIn(browser, server.base, analyst);
  await open(page, '#/leaderboard');
  const rows = (await server.api('/v1/reports/leaderboard')).reports[0].rows;
  assert.ok(rows.length >= 2, 'the demo has reps with deals');
  for (const r of rows) {
    assert.equal(await page.textContent(`[data-testid="leaderboard-won-${r.rep_id}"]`), dollars(r.won_usd), `won ${r.rep_id}`);
    assert.equal(await page.textContent(`[data-testid="leaderboard-logos-${r.rep_id}"]`), int(r.new_logo_deals), `logos ${r.rep_id}`);
  }
  // The campaigns sharing the credit: influenced is the linear model's credit.
  const campaigns = (await server.api('/v1/reports/attribution_campaign')).reports[0].rows;
  const top = [...campaigns].sort((a, b) => b.linear_usd - a.linear_usd)[0];
  assert.equal(await page.textContent(`[data-testid="leaderboard-influenced-${top.campaign_id}"]`), dollars(top.linear_usd));
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('attribution switches model from the keyboard and explains one opportunity as the API does', async () => {
  const page = await loggedIn(browser, server.base, analyst);
  await open(page, '#/attribution');
  const channels = (await server.api('/v1/reports/attribution_channel')).reports[0].rows;
  for (const r of channels) {
    assert.equal(await page.textContent(`[data-testid="attribution-channel-${r.channel}"]`), dollars(r.linear_usd), `linear ${r.channel}`);
  }
  // Tab to the first-touch button and press Enter: the page reads first touch.
  const button = page.locator('button[data-model="first_touch"]');
  await button.focus();
  await page.evaluate(() => { delete document.body.dataset.ready; });
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.body.dataset.ready === 'attribution');
  assert.equal(await page.getAttribute('button[data-model="first_touch"]', 'aria-pressed'), 'true');
  for (const r of channels) {
    assert.equal(await page.textContent(`[data-testid="attribution-channel-${r.channel}"]`), dollars(r.first_touch_usd), `first touch ${r.channel}`);
  }
  // A channel picked from the keyboard lists its won opportunities as the API does.
  const top = [...channels].filter((r) => r.channel !== '(none)').sort((a, b) => b.linear_usd - a.linear_usd)[0];
  const won = await server.api(`/v1/reports/attribution_channel?won_by=${top.channel}&limit=10`);
  assert.ok(won.explanation.opportunities >= 1, 'the top channel was credited for a win');
  await page.focus('[data-testid="attribution-by"]');
  await page.evaluate(() => { delete document.body.dataset.ready; });
  await page.selectOption('[data-testid="attribution-by"]', `channel:${top.channel}`);
  await page.waitForFunction(() => document.body.dataset.ready === 'attribution');
  const listed = won.reports[0].rows;
  assert.equal(await page.locator('[data-testid="attribution-won"] tbody tr').count(), listed.length);
  assert.match(await page.textContent('[data-testid="attribution-won-count"]'), new RegExp(`^${int(won.explanation.opportunities)} won opportunit`));
  // The largest one picked and explained.
  const opp = listed[0].opportunity_id;
  const explained = await server.api(`/v1/reports/attribution_campaign?explain=${opp}`);
  await page.evaluate(() => { delete document.body.dataset.ready; });
  await page.click(`[data-testid="attribution-won-${opp}"] a`);
  await page.waitForFunction(() => document.body.dataset.ready === 'attribution');
  assert.equal(await page.textContent('[data-testid="attribution-explain-outcome"]'), `${opp}: ${explained.explanation.outcome}`);
  // At most 20 touches are listed (those with the most credit), each with
  // the API's credit; the first touch, which holds all first-touch credit,
  // among them; the rest counted.
  const touches = explained.reports[0].rows;
  assert.equal(await page.locator('[data-testid="attribution-explain"] tbody tr').count(), Math.min(20, touches.length));
  assert.equal(await page.locator(`[data-testid="attribution-explain-credit-${touches[0].touch_id}"]`).count(), 1);
  for (const r of touches) {
    const cell = page.locator(`[data-testid="attribution-explain-credit-${r.touch_id}"]`);
    if (await cell.count()) assert.equal(await cell.textContent(), dollars(r.first_touch_usd), `credit of ${r.touch_id}`);
  }
  if (touches.length > 20) {
    // Of equal credit, the picked channel's touches come before the others.
    const picked = touches.filter((r) => r.channel === top.channel);
    const ties = picked.length ? `${top.channel.replaceAll('_', ' ')}'s first, then the earliest`.replace(/^./, (c) => c.toUpperCase()) : 'the earliest';
    assert.equal(await page.textContent('[data-testid="attribution-explain-rest"]'),
      `${int(touches.length)} touches: the 20 with the most first touch credit are listed (of equals, ${ties}), the other ${int(touches.length - 20)} are not. List all ${int(touches.length)} touches`);
    const expected = [...touches]
      .sort((a, b) => b.first_touch_usd - a.first_touch_usd || (b.channel === top.channel) - (a.channel === top.channel))
      .slice(0, 20).map((r) => r.touch_id).sort();
    const shown = (await page.$$eval('[data-testid^="attribution-explain-credit-"]', (cells) => cells.map((c) => c.dataset.testid)))
      .map((t) => t.replace('attribution-explain-credit-', '')).sort();
    assert.deepEqual(shown, expected);
  }
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('the content grid counts each persona and stage\'s assets, and its gaps, as content_gaps does', async () => {
  const page = await loggedIn(browser, server.base, analyst);
  await open(page, '#/content');
  const cells = (await server.api('/v1/reports/content_gaps')).reports[0].rows;
  for (const c of cells) {
    const cell = page.locator(`[data-testid="content-cell-${c.persona}-${c.journey_stage}"]`);
    assert.equal(await cell.locator('.ct-n').textContent(), int(c.assets), `${c.persona} × ${c.journey_stage}`);
    assert.equal(await cell.evaluate((b) => b.classList.contains('ct-gap')), c.assets === 0);
  }
  assert.equal(await page.textContent('[data-testid="content-gaps"]'), int(cells.filter((c) => c.assets === 0).length));
  // A cell lists its assets: as many rows as the cell has assets (up to 50).
  const full = cells.find((c) => c.assets > 0);
  await page.click(`[data-testid="content-cell-${full.persona}-${full.journey_stage}"]`);
  assert.equal(await page.locator('[data-testid="content-assets-table"] tbody tr').count(), Math.min(50, full.assets));
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('velocity shows each step\'s leads as the report gives them', async () => {
  const page = await loggedIn(browser, server.base, analyst);
  await open(page, '#/velocity');
  const rows = (await server.api('/v1/reports/velocity')).reports[0].rows.filter((r) => r.source_channel === '(all)');
  assert.ok(rows.length >= 3);
  for (const r of rows) {
    assert.equal(await page.textContent(`[data-testid="velocity-leads-${r.from_stage}-${r.to_stage}"]`), int(r.leads));
  }
  assert.equal(await page.locator('[data-testid="velocity-chart"] canvas').count(), 1, 'the chart is drawn');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('the agreement page diffs the version adopted against the one before', async () => {
  const adopt = async (text) => {
    const r = await fetch(`${server.base}/v1/agreement`, {
      method: 'POST', headers: { Authorization: `Bearer ${server.admin}` }, body: text,
    });
    assert.ok(r.status === 201 || r.status === 200, await r.text());
  };
  const before = await server.api('/v1/agreement');
  // The text in force as a version of its own (a demo may have adopted none).
  await adopt(before.text);
  const next = before.text.replace('mql_threshold = 60', 'mql_threshold = 45');
  assert.notEqual(next, before.text);
  await adopt(next);
  const page = await loggedIn(browser, server.base, analyst);
  await open(page, '#/agreement');
  const versions = await server.api('/v1/agreement/versions');
  const last = versions[versions.length - 1].version;
  assert.equal(await page.textContent('[data-testid="agreement-version"]'), String(last));
  assert.equal(await page.textContent('[data-testid="agreement-mql-threshold"]'), '45');
  assert.equal(await page.textContent('[data-testid="diff-added"]'), '1');
  assert.equal(await page.textContent('[data-testid="diff-removed"]'), '1');
  const diff = await page.textContent('[data-testid="agreement-diff"]');
  assert.match(diff, /- mql_threshold = 60/);
  assert.match(diff, /\+ mql_threshold = 45/);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
