// The shell: login, nav, hash router (#/<page>?k=v), period picker and the
// fetch wrapper every page uses. Pages are ES modules in ui/pages/<name>.js
// exporting `render(root, ctx)` (the contract: /work/notes/ui-contract.md,
// summarised in ARCHITECTURE.md). No figure is computed here: pages show
// what the API answers.

import * as fmt from './lib/fmt.js';
import * as chart from './lib/chart.js';
import * as table from './lib/table.js';

/** The ten pages, in the nav's order; `needs`: the API call a page reads
 * first, so the nav shows a page only to a role the server lets read it. */
export const PAGES = [
  { name: 'kpi', title: 'KPI wall', needs: 'GET /v1/reports/{name}' },
  { name: 'funnel', title: 'Funnel', needs: 'GET /v1/reports/{name}' },
  { name: 'velocity', title: 'Velocity', needs: 'GET /v1/reports/{name}' },
  { name: 'sla', title: 'SLA board', needs: 'GET /v1/reports/{name}' },
  { name: 'attribution', title: 'Attribution', needs: 'GET /v1/reports/{name}' },
  { name: 'queue', title: 'Rep queue', needs: 'GET /v1/leads' },
  { name: 'lead', title: 'Lead', needs: 'GET /v1/leads/{id}' },
  { name: 'content', title: 'Content', needs: 'GET /v1/reports/{name}' },
  { name: 'leaderboard', title: 'Leaderboard', needs: 'GET /v1/reports/{name}' },
  { name: 'agreement', title: 'Agreement', needs: 'GET /v1/agreement' },
];

const state = { user: null, csrf: null };
const main = document.getElementById('main');
const header = document.querySelector('header.top');
const periodBar = document.querySelector('div.period');

/** An API error: `.status` and `.problem` (the RFC 9457 body, if any). */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || `the server answered ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

async function call(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET' && method !== 'HEAD') {
    if (state.csrf) headers['X-CSRF-Token'] = state.csrf;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
  }
  const r = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!r.ok) {
    const err = new ApiError(r.status, json);
    if (r.status === 401 && path !== '/v1/session') {
      showLogin(err.message);
    }
    throw err;
  }
  return json;
}

function api(path) {
  return call('GET', path);
}

function send(method, path, body) {
  return call(method, path, body);
}

// ---- the period: #/page?from=YYYY-MM-DD&to=YYYY-MM-DD (none: all time)

function parseHash() {
  const h = location.hash.replace(/^#\/?/, '');
  const [name, query] = h.split('?');
  return { name: name || '', params: new URLSearchParams(query || '') };
}

function periodOf(params) {
  const from = params.get('from');
  const to = params.get('to');
  if (!from && !to) return null;
  return { from: from || null, to: to || null };
}

/** The hash of `page` with `params`, keeping the period unless given. */
function hashFor(page, params = {}, keepPeriod = true) {
  const cur = parseHash().params;
  const q = new URLSearchParams();
  if (keepPeriod) {
    for (const k of ['from', 'to']) if (cur.get(k)) q.set(k, cur.get(k));
  }
  for (const [k, v] of Object.entries(params)) {
    if (v === null || v === undefined || v === '') q.delete(k);
    else q.set(k, v);
  }
  const s = q.toString();
  return `#/${page}${s ? `?${s}` : ''}`;
}

function iso(d) {
  return d.toISOString().slice(0, 10);
}

function setupPeriod() {
  const form = document.getElementById('period');
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const { name } = parseHash();
    location.hash = hashFor(name || home(), { from: form.from.value, to: form.to.value });
  });
}

/** The presets, ending on the day of the log's latest event (a demo's or
 * an old export's data ends before today). */
function buildPresets(dataUntil) {
  const presets = document.querySelector('#period .presets');
  const until = dataUntil && dataUntil >= '2000' ? new Date(dataUntil) : new Date();
  const end = iso(until);
  const daysBefore = (n) => iso(new Date(until.getTime() - n * 86400000));
  const quarterStart = new Date(Date.UTC(until.getUTCFullYear(), Math.floor(until.getUTCMonth() / 3) * 3, 1));
  const monthStart = new Date(Date.UTC(until.getUTCFullYear(), until.getUTCMonth(), 1));
  const list = [
    ['All time', null, null],
    ['Last 30 days', daysBefore(29), end],
    ['Last 90 days', daysBefore(89), end],
    ['Month to date', iso(monthStart), end],
    ['Quarter to date', iso(quarterStart), end],
    ['Last 12 months', daysBefore(364), end],
  ];
  presets.replaceChildren(...list.map(([label, from, to]) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = label;
    b.title = from ? `${from} to ${to}` : 'Every event';
    b.dataset.testid = `preset-${label.toLowerCase().replace(/\s+/g, '-')}`;
    b.addEventListener('click', () => {
      const { name } = parseHash();
      location.hash = hashFor(name || home(), { from, to });
    });
    return b;
  }));
}

function showPeriod(period) {
  const form = document.getElementById('period');
  form.from.value = period?.from || '';
  form.to.value = period?.to || '';
  const shown = document.querySelector('.period-shown');
  shown.textContent = period
    ? `Showing ${period.from || 'the start'} to ${period.to || 'the latest event'}`
    : 'Showing all time';
}

// ---- who is logged in

function may(call) {
  return !!state.user && state.user.may.includes(call);
}

function home() {
  const first = PAGES.find((p) => may(p.needs) && p.name !== 'lead');
  return first ? first.name : 'agreement';
}

function showLogin(message) {
  state.user = null;
  state.csrf = null;
  header.hidden = true;
  periodBar.hidden = true;
  const t = document.getElementById('login-form').content.cloneNode(true);
  main.replaceChildren(t);
  const form = main.querySelector('form');
  const err = main.querySelector('.error');
  if (message) {
    err.textContent = message;
    err.hidden = false;
  }
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    err.hidden = true;
    const button = form.querySelector('button');
    button.disabled = true;
    try {
      const me = await call('POST', '/v1/session', { token: form.token.value });
      loggedIn(me);
      route();
    } catch (x) {
      err.textContent = x.status === 401 || x.status === 400
        ? x.message
        : `Could not log in: ${x.message}`;
      err.hidden = false;
      form.token.focus();
      form.token.select();
    } finally {
      button.disabled = false;
    }
  });
  form.token.focus();
}

function loggedIn(me) {
  state.user = {
    role: me.role,
    rep_id: me.rep_id ?? null,
    label: me.label || me.role.replace('_', ' '),
    may: me.may || [],
  };
  state.csrf = me.csrf_token;
  buildPresets(me.data_until);
  header.hidden = false;
  periodBar.hidden = false;
  const who = document.querySelector('[data-testid="who"]');
  who.textContent = `${state.user.label} · ${me.role.replace('_', ' ')}${me.rep_id ? ` (${me.rep_id})` : ''}`;
  const ul = document.querySelector('#nav ul');
  ul.replaceChildren(...PAGES.filter((p) => may(p.needs)).map((p) => {
    const li = document.createElement('li');
    const a = document.createElement('a');
    a.href = `#/${p.name}`;
    a.textContent = p.title;
    a.dataset.page = p.name;
    a.dataset.testid = `nav-${p.name}`;
    a.addEventListener('click', (e) => {
      e.preventDefault();
      location.hash = hashFor(p.name);
      closeMenu();
    });
    li.append(a);
    return li;
  }));
}

function closeMenu() {
  const b = document.querySelector('button.menu');
  b.setAttribute('aria-expanded', 'false');
  document.getElementById('nav').classList.remove('open');
}

// ---- the router

const modules = new Map();

async function load(name) {
  if (!modules.has(name)) {
    modules.set(name, import(`./pages/${name}.js`).catch((e) => {
      modules.delete(name);
      throw e;
    }));
  }
  return modules.get(name);
}

let seq = 0;

async function route() {
  if (!state.user) return;
  let { name, params } = parseHash();
  if (!name) {
    location.replace(hashFor(home()));
    return;
  }
  const page = PAGES.find((p) => p.name === name);
  const mine = ++seq;
  const period = periodOf(params);
  showPeriod(period);
  for (const a of document.querySelectorAll('#nav a')) {
    if (a.dataset.page === name) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  document.title = `${page ? page.title : 'Not found'} · accord`;
  const root = document.createElement('div');
  root.className = `page page-${name}`;
  const loading = document.createElement('p');
  loading.className = 'loading';
  loading.textContent = 'Loading…';
  main.replaceChildren(loading);
  delete document.body.dataset.ready;
  const t0 = performance.now();
  if (!page) {
    root.append(heading('No such page'), para(`There is no page “${name}”. Pick one in the menu.`));
    main.replaceChildren(root);
    return;
  }
  let mod;
  try {
    mod = await load(name);
  } catch (e) {
    // Every page has its module: failing to load it is the network's
    // (the next visit tries again).
    if (mine !== seq) return;
    root.append(heading(page.title), errorBox(new Error(`This page could not be loaded (${e.message || e}); reload to try again.`)));
    main.replaceChildren(root);
    document.body.dataset.ready = name;
    return;
  }
  const ctx = {
    api, send, params, period,
    go: (hash) => { location.hash = hash; },
    link: (pageName, p = {}) => hashFor(pageName, p),
    user: state.user,
    may,
    fmt, chart, table,
  };
  try {
    // Rendered off-screen, shown once complete (charts size to the page).
    main.replaceChildren(loading, root);
    root.hidden = true;
    await mod.render(root, ctx);
    if (mine !== seq) return;
    root.hidden = false;
    loading.remove();
  } catch (e) {
    if (mine !== seq) return;
    if (!state.user) return; // a 401 showed the login
    root.replaceChildren(heading(page.title), errorBox(e));
    root.hidden = false;
    loading.remove();
  }
  const ms = performance.now() - t0;
  (window.__accordTimings ||= {})[name] = ms;
  document.body.dataset.ready = name;
  const h = root.querySelector('h1');
  if (h && document.activeElement === document.body) {
    h.tabIndex = -1;
    h.focus({ preventScroll: true });
  }
}

function heading(text) {
  const h = document.createElement('h1');
  h.textContent = text;
  return h;
}

function para(text, cls) {
  const p = document.createElement('p');
  p.textContent = text;
  if (cls) p.className = cls;
  return p;
}

/** A page's error in words (the API's problem detail when there is one). */
export function errorBox(e) {
  const d = document.createElement('div');
  d.className = 'error-box';
  d.setAttribute('role', 'alert');
  d.dataset.testid = 'page-error';
  const status = e instanceof ApiError ? e.status : null;
  let text = e.message || String(e);
  if (status === 403) text = `Your role may not see this: ${text}`;
  if (status === 404) text = `Not found: ${text}`;
  d.textContent = text;
  return d;
}

async function start() {
  setupPeriod();
  document.querySelector('button.menu').addEventListener('click', (e) => {
    const open = e.currentTarget.getAttribute('aria-expanded') !== 'true';
    e.currentTarget.setAttribute('aria-expanded', String(open));
    document.getElementById('nav').classList.toggle('open', open);
  });
  document.getElementById('logout').addEventListener('click', async () => {
    try {
      await call('DELETE', '/v1/session');
    } finally {
      history.replaceState(null, '', location.pathname);
      showLogin('You have logged out.');
    }
  });
  window.addEventListener('hashchange', route);
  window.accordRefresh = route;
  try {
    loggedIn(await call('GET', '/v1/session'));
  } catch (e) {
    const ended = e.problem && /session_ended|token_revoked/.test(e.problem.type || '');
    showLogin(e.status === 401 && !ended ? '' : e.message);
    return;
  }
  route();
}

start();
