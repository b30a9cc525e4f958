// A real `accord serve` over a small demo database in a temporary folder,
// Debian's chromium driven by playwright-core, and small helpers.
//
// ACCORD_BIN: the accord binary (default: ../target/release/accord, else
// ../target/debug/accord). CHROMIUM: the browser (default /usr/bin/chromium).
// ACCORD_E2E_SHOTS: where screenshots go (default /tmp/accord-e2e-shots).

import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');

export const SHOTS = process.env.ACCORD_E2E_SHOTS || '/tmp/accord-e2e-shots';

export function accordBin() {
  if (process.env.ACCORD_BIN) return process.env.ACCORD_BIN;
  for (const p of ['target/release/accord', 'target/debug/accord']) {
    if (existsSync(join(root, p))) return join(root, p);
  }
  throw new Error('no accord binary: build it (cargo build --release) or set ACCORD_BIN');
}

/** Runs accord with `args` in `cwd`; its stdout. */
export function accord(args, cwd) {
  return execFileSync(accordBin(), args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A demo database, a server on a random loopback port, and tokens. */
export async function startServer({ leads = 1500, seed = 7 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'accord-e2e-'));
  accord(['demo', '--no-serve', '--leads', String(leads), '--seed', String(seed), '--db', 'demo.db'], dir);
  const child = spawn(accordBin(), ['serve', '--db', 'demo.db', '--listen', '127.0.0.1:0', '--rate', '100000'], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  const started = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`accord serve did not start: ${err}`)), 60000);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d) => {
      err += d;
      const addr = /serving .* on http:\/\/([0-9.:]+) /.exec(err);
      const token = /(acc_[0-9a-f]{64})/.exec(err);
      if (addr && token) {
        clearTimeout(timer);
        ok({ addr: addr[1], admin: token[1] });
      }
    });
    child.on('exit', (code) => fail(new Error(`accord serve exited ${code}: ${err}`)));
  });
  const base = `http://${started.addr}`;
  for (let i = 0; i < 300; i++) {
    const r = await fetch(`${base}/readyz`).catch(() => null);
    if (r && r.ok) break;
    await sleep(100);
  }
  const server = {
    dir,
    base,
    admin: started.admin,
    log: () => err,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((ok) => (child.exitCode !== null ? ok() : child.on('exit', ok)));
      rmSync(dir, { recursive: true, force: true });
    },
    /** A new token of `role` (made by the CLI on the served database). */
    async token(role, rep) {
      const args = ['token', 'create', '--role', role, '--db', 'demo.db', '--label', `e2e ${role}`];
      if (rep) args.push('--rep', rep);
      const t = accord(args, dir).trim();
      // The server reads the tokens again every second.
      for (let i = 0; i < 50; i++) {
        const r = await fetch(`${base}/v1/session`, { headers: { Authorization: `Bearer ${t}` } });
        if (r.ok) return t;
        await sleep(100);
      }
      throw new Error(`the server never took the new ${role} token`);
    },
    /** GET an API path as `token`; its JSON. */
    async api(path, token = started.admin) {
      const r = await fetch(`${base}${path}`, { headers: { Authorization: `Bearer ${token}` } });
      const body = await r.text();
      if (!r.ok) throw new Error(`${path}: ${r.status} ${body}`);
      return JSON.parse(body);
    },
    async post(path, body, token = started.admin) {
      const r = await fetch(`${base}${path}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await r.text();
      if (!r.ok) throw new Error(`${path}: ${r.status} ${text}`);
      return JSON.parse(text);
    },
  };
  return server;
}

export function sleep(ms) {
  return new Promise((ok) => setTimeout(ok, ms));
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
}

/** A new page logged in with `token` (through the login form). */
export async function loggedIn(browser, base, token, width = 1280) {
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(String(e)));
  // A failed fetch is logged by the browser (the 401 before the login, a
  // page not built yet): the pages' own errors are what count.
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text());
  });
  page.problems = problems;
  await page.goto(`${base}/`);
  await page.fill('[data-testid="login-token"]', token);
  await page.click('[data-testid="login-submit"]');
  await page.waitForSelector('[data-testid="who"]:not(:empty)');
  return page;
}

/** Opens `#/<hash>` and waits until the page says it is drawn. */
export async function open(page, hash) {
  await page.evaluate(() => { delete document.body.dataset.ready; });
  await page.evaluate((h) => {
    if (location.hash === h) window.accordRefresh();
    else location.hash = h;
  }, hash);
  const name = hash.replace(/^#?\/?/, '').split('?')[0];
  await page.waitForFunction((n) => document.body.dataset.ready === n, name, { timeout: 30000 });
  // A page that shows an error instead of its content fails here, saying
  // what it showed (rather than as a missing element later).
  const error = page.locator('[data-testid="page-error"]');
  if (await error.count() > 0) {
    throw new Error(`${hash} showed an error: ${await error.first().textContent()}; console: ${JSON.stringify(page.problems || [])}`);
  }
}

export function shotsDir() {
  mkdirSync(SHOTS, { recursive: true });
  return SHOTS;
}

/** 12345 -> "12,345", as the dashboard writes counts. */
export function int(n) {
  return new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 }).format(n);
}
