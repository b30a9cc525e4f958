// Page timings: for each page, the time its API calls took (the slowest
// of them, from the browser's resource timings) and the time until it was
// drawn, plus the first paint of / on a cold load. Against a running
// server: node timings.js http://127.0.0.1:8080 TOKEN [runs]
//
// Prints one line per page: name, data ms (median of runs), drawn ms.

import { launch, open } from './harness.js';

const [base, token, runsArg] = process.argv.slice(2);
if (!base || !token) {
  console.error('usage: node timings.js BASE_URL TOKEN [RUNS]');
  process.exit(2);
}
const runs = Number(runsArg || 5);
const pages = (process.env.PAGES || 'kpi?from=2026-01-01&to=2026-03-31,funnel,sla,queue,lead,velocity,attribution,content,leaderboard,agreement').split(',');

const browser = await launch();
const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
const page = await context.newPage();
const t0 = Date.now();
await page.goto(`${base}/`);
await page.waitForSelector('[data-testid="login-token"]');
const fcp = await page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null);
console.log(`first paint of / (cold, login form): ${fcp?.toFixed(0)} ms (load to form ${Date.now() - t0} ms)`);
await page.fill('[data-testid="login-token"]', token);
await page.click('[data-testid="login-submit"]');
await page.waitForSelector('[data-testid="who"]:not(:empty)');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const p of pages) {
  const data = [];
  const drawn = [];
  for (let i = 0; i < runs; i++) {
    await page.evaluate(() => performance.clearResourceTimings());
    const s = Date.now();
    await open(page, `#/${p}`);
    drawn.push(Date.now() - s);
    data.push(await page.evaluate(() => Math.max(0, ...performance.getEntriesByType('resource')
      .filter((e) => e.name.includes('/v1/')).map((e) => e.duration))));
  }
  console.log(`${p.split('?')[0].padEnd(12)} data ${median(data).toFixed(0).padStart(5)} ms   drawn ${String(median(drawn)).padStart(5)} ms`);
}
await browser.close();
