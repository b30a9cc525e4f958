// Agreement: the agreement in force rendered for people (stages and their
// criteria, personas, scoring, routing, SLA, attribution), its version
// history, and a line diff between two versions. Reads GET /v1/agreement,
// GET /v1/agreement/versions and GET /v1/agreement/versions/{n}.

import { el, section, empty, style } from "./velocity.js";

export async function render(root, ctx) {
  style("agreement", CSS);
  root.append(el("h1", {}, "Agreement"));
  const [current, versions] = await Promise.all([
    ctx.api("/v1/agreement"),
    ctx.api("/v1/agreement/versions"),
  ]);
  let doc = null;
  let parseError = null;
  try {
    doc = parseToml(current.text);
  } catch (e) {
    parseError = e.message;
  }
  const head = el("p", { class: "ag-lead" });
  head.append(
    el("strong", { "data-testid": "agreement-name" }, (doc && doc.name) || "Unnamed agreement"),
    current.version == null
      ? el("span", {}, " · not adopted yet: the server's --agreement file is in force")
      : el("span", {}, " · version ", el("span", { "data-testid": "agreement-version" }, String(current.version)), " in force"),
    doc && doc.effective ? el("span", {}, ` · effective ${doc.effective}`) : "",
    el("span", { class: "ag-digest", title: current.digest }, ` · sha256 ${current.digest.slice(0, 12)}…`),
  );
  root.append(head);
  if (parseError) {
    root.append(el("p", { class: "ag-warn" }, `This page could not read the text (${parseError}); here it is as stored.`));
  } else {
    root.append(...renderAgreement(doc, ctx));
  }
  root.append(
    el("details", { class: "ag-raw" }, el("summary", {}, "The text as stored (TOML)"), el("pre", {}, current.text)),
  );
  root.append(history(versions, ctx));
  root.append(await diffSection(versions, ctx));
}

// ---------------------------------------------------------------------------
// The agreement, readably

function renderAgreement(a, ctx) {
  const out = [];
  const stages = Object.entries(a.stages || {});
  out.push(
    section(
      "Lifecycle stages",
      stages.length === 0
        ? empty("No stages declared.")
        : table(
            ["Stage", "Entered from", "Means", "Entered when"],
            stages.map(([name, s]) => [
              el("strong", {}, name),
              (s.from || []).length ? s.from.join(", ") : "(start)",
              s.description || "",
              code(s.when),
            ]),
          ),
    ),
  );
  const personas = Object.entries(a.personas || {});
  const journeys = Object.entries(a.journey_stages || {});
  out.push(
    section(
      "Personas and journey stages",
      table(
        ["Persona", "Who", "Classified when"],
        personas.map(([n, p]) => [el("strong", {}, n), p.description || "", p.when ? code(p.when) : "(from the form)"]),
      ),
      table(
        ["Journey stage", "Means"],
        journeys.map(([n, j]) => [el("strong", {}, n), j.description || ""]),
      ),
    ),
  );
  const sc = a.scoring || {};
  const eng = sc.engagement || {};
  out.push(
    section(
      "Scoring",
      el("p", {}, "A lead's score is its fit plus its engagement, from 0 to 100; it becomes an MQL at ",
        el("strong", { "data-testid": "agreement-mql-threshold" }, ctx.fmt.decimal(sc.mql_threshold)), " points."),
      el("h3", {}, "Fit rules (every matching rule counts)"),
      table(
        ["Rule", "When", "Points"],
        (sc.fit || []).map((r) => [r.name, code(r.when), points(r.points)]),
        [2],
      ),
      el("h3", {}, `Engagement (points halve every ${ctx.fmt.decimal(eng.half_life_days)} days)`),
      table(
        ["Touch kind", "Points"],
        Object.entries(eng.points || {}).map(([k, v]) => [k.replaceAll("_", " "), points(v)]),
        [1],
      ),
      (eng.rules || []).length
        ? table(["Extra rule", "When", "Points"], eng.rules.map((r) => [r.name, code(r.when), points(r.points)]), [2])
        : "",
    ),
  );
  const ro = a.routing || {};
  const hours = ro.hours;
  out.push(
    section(
      "Routing",
      el("p", {}, `A lead without an owner is routed when it enters `, el("strong", {}, ro.on || "mql"),
        ". Rules are tried in order; the first with an eligible rep wins."),
      hours
        ? el("p", {}, `Reps work ${(hours.days || ["mon", "tue", "wed", "thu", "fri"]).join(", ")} from ${hours.start || "09:00"} to ${hours.end || "17:00"} local time` +
            (hours.zones ? ` (${Object.entries(hours.zones).map(([r, z]) => `${r}: ${z}`).join(", ")})` : "") + ".")
        : el("p", {}, "No working hours: reps are always at work."),
      table(
        ["#", "Rule", "Team", "When", "Assign", "Capacity"],
        (ro.rules || []).map((r, i) => [
          String(i + 1),
          r.name,
          r.team || "any",
          code(r.when),
          (r.assign || "").replaceAll("_", " "),
          r.respect_capacity === false ? "ignored" : "respected",
        ]),
      ),
    ),
  );
  const sla = a.sla || {};
  const sales = sla.sales || {};
  const mkt = sla.marketing || {};
  const targets = Object.entries(mkt.default_monthly_mql_targets || {});
  out.push(
    section(
      "Service level agreement",
      el("h3", {}, "Sales promises"),
      el("ul", {},
        el("li", {}, "Follow up every MQL within ", el("strong", {}, `${ctx.fmt.decimal(sales.follow_up_hours)} hours`),
          ` with at least ${ctx.fmt.decimal(sales.follow_up_attempts)} attempts.`),
        el("li", {}, "Accept or reject it within ", el("strong", {}, `${ctx.fmt.decimal(sales.decide_hours)} hours`), "."),
        el("li", {}, sales.business_hours ? "Clocks count working hours only." : "Clocks run around the clock."),
        el("li", {}, "A rejection names a reason: ", (sales.rejection_reasons || []).map((r) => r.replaceAll("_", " ")).join(", "), "."),
      ),
      el("h3", {}, "Marketing promises"),
      el("ul", {},
        el("li", {}, "At least ", el("strong", {}, ctx.fmt.pct(mkt.min_acceptance_rate ?? 0)), " of MQLs accepted by sales."),
        el("li", {}, "Monthly MQLs per region (unless targets are imported): ",
          targets.map(([r, n]) => `${r} ${ctx.fmt.decimal(n)}`).join(", ") || "none", "."),
      ),
      el("h3", {}, "Escalations"),
      table(
        ["Step", "On", "After", "Tell"],
        (sla.escalation || []).map((e) => [
          e.name,
          e.on.replaceAll("_", " ") + (e.reasons ? ` (${e.reasons.join(", ")})` : ""),
          e.after_hours ? `${ctx.fmt.decimal(e.after_hours)} h` : "at once",
          (e.notify || "").replaceAll("_", " "),
        ]),
      ),
    ),
  );
  const at = a.attribution || {};
  out.push(
    section(
      "Attribution",
      el("p", {}, `Touches up to ${ctx.fmt.decimal(at.lookback_days)} days before an opportunity share its credit; ` +
        `time decay halves a touch's weight every ${ctx.fmt.decimal(at.half_life_days)} days. Models shown: ` +
        (at.models || []).map((m) => m.replaceAll("_", " ")).join(", ") + "."),
    ),
  );
  return out;
}

function code(text) {
  return el("code", { class: "ag-code" }, String(text ?? "").replace(/\s*\n\s*/g, " ").trim());
}

function points(n) {
  return el("span", { class: n < 0 ? "ag-neg" : "" }, n > 0 ? `+${n}` : String(n));
}

function table(headers, rows, numeric = []) {
  const t = el("table", { class: headers.length <= 2 ? "ag-table ag-narrow" : "ag-table" });
  t.append(el("thead", {}, el("tr", {}, ...headers.map((h, i) => el("th", { scope: "col", class: numeric.includes(i) ? "num" : "" }, h)))));
  t.append(el("tbody", {}, ...rows.map((r) => el("tr", {}, ...r.map((c, i) => el("td", { class: numeric.includes(i) ? "num" : "" }, c))))));
  return el("div", { class: "table-wrap" }, t);
}

// ---------------------------------------------------------------------------
// Versions and the diff

function history(versions, ctx) {
  if (versions.length === 0) {
    return section(
      "Version history",
      empty("No version adopted yet: the reports use the server's --agreement file. Adopt one with `accord agreement adopt FILE` (or POST /v1/agreement as an admin) to start the history."),
    );
  }
  return section(
    "Version history",
    table(
      ["Version", "Adopted", "By", "Name", "Effective", "SHA-256"],
      [...versions].reverse().map((v) => [
        el("strong", {}, String(v.version)),
        ctx.fmt.time(v.adopted_at),
        v.by || "",
        v.name || "",
        v.effective || "",
        el("code", { title: v.digest }, v.digest.slice(0, 12)),
      ]),
    ),
  );
}

async function diffSection(versions, ctx) {
  if (versions.length < 2) {
    return section(
      "Compare versions",
      empty(versions.length === 0
        ? "Nothing to compare: no version is adopted."
        : "Only one version so far: adopt a changed agreement to compare two versions here."),
    );
  }
  const numbers = versions.map((v) => v.version);
  const pick = (name, fallback) => {
    const n = Number(ctx.params.get(name));
    return numbers.includes(n) ? n : fallback;
  };
  const a = pick("a", numbers[numbers.length - 2]);
  const b = pick("b", numbers[numbers.length - 1]);
  const select = (id, label, value) => {
    const s = el("select", { id, name: id });
    for (const n of numbers) s.append(el("option", { value: String(n), ...(n === value ? { selected: "" } : {}) }, `version ${n}`));
    return [el("label", { for: id }, label), s];
  };
  const [la, sa] = select("ag-from", "From", a);
  const [lb, sb] = select("ag-to", "To", b);
  const button = el("button", { type: "submit", "data-testid": "agreement-compare" }, "Compare");
  const form = el("form", { class: "filters" }, la, sa, lb, sb, button);
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    ctx.go(ctx.link("agreement", { a: sa.value, b: sb.value }));
  });
  const [ta, tb] = await Promise.all([ctx.api(`/v1/agreement/versions/${a}`), ctx.api(`/v1/agreement/versions/${b}`)]);
  const ops = lineDiff(ta.text.split("\n"), tb.text.split("\n"));
  const added = ops.filter((o) => o.op === "+").length;
  const removed = ops.filter((o) => o.op === "-").length;
  const summary = el("p", {}, `Version ${a} → version ${b}: `,
    el("strong", { "data-testid": "diff-added", class: "ag-add-t" }, ctx.fmt.int(added)), " lines added, ",
    el("strong", { "data-testid": "diff-removed", class: "ag-del-t" }, ctx.fmt.int(removed)), " removed.");
  const body = added + removed === 0 ? empty("The two texts are the same.") : hunks(ops);
  return section("Compare versions", form, summary, body);
}

// A unified view: changed lines with 3 lines of context, gaps folded.
function hunks(ops) {
  const keep = new Uint8Array(ops.length);
  ops.forEach((o, i) => {
    if (o.op !== " ") for (let j = Math.max(0, i - 3); j <= Math.min(ops.length - 1, i + 3); j++) keep[j] = 1;
  });
  const pre = el("pre", { class: "ag-diff", "data-testid": "agreement-diff" });
  let skipped = 0;
  ops.forEach((o, i) => {
    if (!keep[i]) { skipped++; return; }
    if (skipped) { pre.append(el("span", { class: "ag-skip" }, `… ${skipped} unchanged lines\n`)); skipped = 0; }
    const num = o.op === "-" ? o.a : o.b;
    pre.append(el("span", { class: o.op === "+" ? "ag-add" : o.op === "-" ? "ag-del" : "" },
      `${String(num).padStart(4)} ${o.op} ${o.line}\n`));
  });
  if (skipped) pre.append(el("span", { class: "ag-skip" }, `… ${skipped} unchanged lines\n`));
  return pre;
}

/// The line diff of `a` and `b` (a longest common subsequence), as
/// `{op: " " | "-" | "+", line, a, b}` with 1-based line numbers.
export function lineDiff(a, b) {
  // Common head and tail first: most edits are small.
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length, endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) { endA--; endB--; }
  const n = endA - start, m = endB - start;
  const w = m + 1;
  const lcs = new Uint32Array((n + 1) * w);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * w + j] = a[start + i] === b[start + j] ? lcs[(i + 1) * w + j + 1] + 1 : Math.max(lcs[(i + 1) * w + j], lcs[i * w + j + 1]);
    }
  }
  const out = [];
  for (let k = 0; k < start; k++) out.push({ op: " ", line: a[k], a: k + 1, b: k + 1 });
  let i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[start + i] === b[start + j]) {
      out.push({ op: " ", line: a[start + i], a: start + i + 1, b: start + j + 1 }); i++; j++;
    } else if (i < n && (j === m || lcs[(i + 1) * w + j] >= lcs[i * w + j + 1])) {
      out.push({ op: "-", line: a[start + i], a: start + i + 1, b: start + j }); i++;
    } else {
      out.push({ op: "+", line: b[start + j], a: start + i, b: start + j + 1 }); j++;
    }
  }
  for (let k = 0; k < a.length - endA; k++) out.push({ op: " ", line: a[endA + k], a: endA + k + 1, b: endB + k + 1 });
  return out;
}

// ---------------------------------------------------------------------------
// TOML: the part of it agreements use (tables, arrays of tables, dotted
// keys, strings of the four kinds, numbers, booleans, dates as text, arrays,
// inline tables). Throws an Error naming the line on anything else.

export function parseToml(src) {
  let pos = 0;
  let line = 1;
  const root = {};
  let table = root;
  const fail = (msg) => { throw new Error(`line ${line}: ${msg}`); };
  const peek = () => src[pos];
  const skipWs = () => { while (pos < src.length && (src[pos] === " " || src[pos] === "\t")) pos++; };
  const skipComment = () => { if (src[pos] === "#") while (pos < src.length && src[pos] !== "\n") pos++; };
  const newline = () => {
    skipWs(); skipComment();
    if (pos >= src.length) return;
    if (src[pos] === "\r") pos++;
    if (src[pos] !== "\n") fail(`unexpected ${JSON.stringify(src[pos])}`);
    pos++; line++;
  };
  const skipBlank = () => {
    for (;;) {
      skipWs(); skipComment();
      if (src[pos] === "\r") pos++;
      if (src[pos] === "\n") { pos++; line++; } else return;
    }
  };
  const escape = () => {
    const c = src[pos++];
    const simple = { b: "\b", t: "\t", n: "\n", f: "\f", r: "\r", '"': '"', "\\": "\\", e: "\x1b" };
    if (c in simple) return simple[c];
    if (c === "u" || c === "U") {
      const len = c === "u" ? 4 : 8;
      const hex = src.slice(pos, pos + len);
      pos += len;
      return String.fromCodePoint(parseInt(hex, 16));
    }
    if (c === "\n" || c === " " || c === "\t" || c === "\r") {
      pos--;
      while (/[ \t\r\n]/.test(src[pos])) { if (src[pos] === "\n") line++; pos++; }
      return "";
    }
    return fail(`bad escape \\${c}`);
  };
  const string = () => {
    if (src.startsWith('"""', pos)) {
      pos += 3;
      if (src[pos] === "\n") { pos++; line++; } else if (src.startsWith("\r\n", pos)) { pos += 2; line++; }
      let s = "";
      while (!src.startsWith('"""', pos) || src[pos + 3] === '"') {
        if (pos >= src.length) fail("unclosed string");
        const c = src[pos++];
        if (c === "\\") s += escape();
        else { if (c === "\n") line++; s += c; }
      }
      pos += 3;
      return s;
    }
    if (src.startsWith("'''", pos)) {
      pos += 3;
      if (src[pos] === "\n") { pos++; line++; } else if (src.startsWith("\r\n", pos)) { pos += 2; line++; }
      const end = src.indexOf("'''", pos);
      if (end < 0) fail("unclosed string");
      let stop = end;
      while (src[stop + 3] === "'") stop++;
      const s = src.slice(pos, stop);
      line += (s.match(/\n/g) || []).length;
      pos = stop + 3;
      return s;
    }
    const q = src[pos++];
    let s = "";
    while (src[pos] !== q) {
      if (pos >= src.length || src[pos] === "\n") fail("unclosed string");
      const c = src[pos++];
      s += q === '"' && c === "\\" ? escape() : c;
    }
    pos++;
    return s;
  };
  const key = () => {
    const parts = [];
    for (;;) {
      skipWs();
      if (src[pos] === '"' || src[pos] === "'") parts.push(string());
      else {
        const m = /^[A-Za-z0-9_-]+/.exec(src.slice(pos, pos + 200));
        if (!m) fail("a key was expected");
        parts.push(m[0]);
        pos += m[0].length;
      }
      skipWs();
      if (src[pos] !== ".") return parts;
      pos++;
    }
  };
  const value = () => {
    skipWs();
    const c = peek();
    if (c === '"' || c === "'") return string();
    if (c === "[") {
      pos++;
      const arr = [];
      for (;;) {
        skipBlank();
        if (src[pos] === "]") { pos++; return arr; }
        arr.push(value());
        skipBlank();
        if (src[pos] === ",") { pos++; continue; }
        skipBlank();
        if (src[pos] === "]") { pos++; return arr; }
        fail("`,` or `]` was expected in an array");
      }
    }
    if (c === "{") {
      pos++;
      const obj = {};
      skipWs();
      if (src[pos] === "}") { pos++; return obj; }
      for (;;) {
        const k = key();
        if (src[pos] !== "=") fail("`=` was expected");
        pos++;
        setPath(obj, k, value());
        skipWs();
        if (src[pos] === ",") { pos++; continue; }
        if (src[pos] === "}") { pos++; return obj; }
        fail("`,` or `}` was expected in an inline table");
      }
    }
    const m = /^[^\s,\]}#]+/.exec(src.slice(pos, pos + 100));
    if (!m) fail("a value was expected");
    pos += m[0].length;
    const t = m[0];
    if (t === "true") return true;
    if (t === "false") return false;
    if (/^[+-]?(inf|nan)$/.test(t)) return t.endsWith("inf") ? (t[0] === "-" ? -Infinity : Infinity) : NaN;
    if (/^[+-]?0x[0-9a-fA-F_]+$/.test(t)) return parseInt(t.replaceAll("_", ""), 16);
    if (/^[+-]?[0-9_]+(\.[0-9_]+)?([eE][+-]?[0-9_]+)?$/.test(t)) return Number(t.replaceAll("_", ""));
    if (/^\d{4}-\d{2}-\d{2}/.test(t) || /^\d{2}:\d{2}/.test(t)) {
      // A date-time may hold one space between date and time.
      const more = /^ \d{2}:\d{2}[^\s,\]}#]*/.exec(src.slice(pos, pos + 40));
      if (more) { pos += more[0].length; return t + more[0]; }
      return t;
    }
    return fail(`${JSON.stringify(t)} is not a TOML value`);
  };
  function setPath(obj, keys, v) {
    let o = obj;
    for (const k of keys.slice(0, -1)) {
      if (!(k in o)) o[k] = {};
      o = o[k];
      if (typeof o !== "object" || Array.isArray(o)) fail(`${keys.join(".")}: ${k} is not a table`);
    }
    const last = keys[keys.length - 1];
    if (last in o) fail(`${keys.join(".")} is defined twice`);
    o[last] = v;
  }
  function descend(keys, arrayTable) {
    let o = root;
    keys.forEach((k, i) => {
      const isLast = i === keys.length - 1;
      if (isLast && arrayTable) {
        if (!(k in o)) o[k] = [];
        if (!Array.isArray(o[k])) fail(`${keys.join(".")} is not an array of tables`);
        const t = {};
        o[k].push(t);
        o = t;
        return;
      }
      if (!(k in o)) o[k] = {};
      o = o[k];
      if (Array.isArray(o)) o = o[o.length - 1];
      if (typeof o !== "object" || o === null) fail(`${keys.join(".")}: ${k} is not a table`);
    });
    return o;
  }
  for (;;) {
    skipBlank();
    if (pos >= src.length) return root;
    if (src[pos] === "[") {
      const arrayTable = src[pos + 1] === "[";
      pos += arrayTable ? 2 : 1;
      const k = key();
      if (!src.startsWith(arrayTable ? "]]" : "]", pos)) fail("`]` was expected");
      pos += arrayTable ? 2 : 1;
      table = descend(k, arrayTable);
      newline();
    } else {
      const k = key();
      if (src[pos] !== "=") fail("`=` was expected");
      pos++;
      setPath(table, k, value());
      newline();
    }
  }
}

const CSS = `
.ag-lead { margin: .25rem 0 1rem; }
.ag-digest { color: var(--muted, #555); font-size: .9em; }
.ag-warn { background: #fff4d6; padding: .5rem .75rem; border-radius: 4px; }
.ag-scroll { overflow-x: auto; max-width: 100%; }
.ag-table th, .ag-table td { vertical-align: top; white-space: normal; }
.ag-table:not(.ag-narrow) { min-width: 40rem; }
.ag-narrow { max-width: 32rem; }
.ag-table .num { text-align: right; font-variant-numeric: tabular-nums; }
.ag-code { font-size: .85em; background: var(--code-bg, #f3f4f6); padding: .05rem .25rem; border-radius: 3px; white-space: pre-wrap; word-break: break-word; }
.ag-neg { color: #a40000; }
.ag-raw pre, .ag-diff { overflow-x: auto; background: var(--code-bg, #f6f7f9); padding: .75rem; border-radius: 4px; font-size: .85em; line-height: 1.4; }
.ag-diff .ag-add { background: #dcfce7; color: #064e1d; display: block; }
.ag-diff .ag-del { background: #fee2e2; color: #7f1010; display: block; }
.ag-diff .ag-skip { color: var(--muted, #555); display: block; font-style: italic; }
.ag-add-t { color: #0a5a26; } .ag-del-t { color: #8a1414; }
.filters label[for] { align-self: center; }
`;
