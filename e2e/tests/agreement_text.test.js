// The agreement page's pure parts, without a browser: the line diff of two
// versions (properties over random texts) and the reader of the TOML text
// (values of the default agreement worked out by hand).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { lineDiff, parseToml } from '../../crates/accord-serve/ui/pages/agreement.js';

// A small deterministic generator (xorshift), so a failure can be replayed.
function rng(seed) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x / 2 ** 32;
  };
}

// The length of a longest common subsequence, by brute force over small inputs.
function lcsBrute(a, b) {
  if (a.length === 0 || b.length === 0) return 0;
  if (a[0] === b[0]) return 1 + lcsBrute(a.slice(1), b.slice(1));
  return Math.max(lcsBrute(a.slice(1), b), lcsBrute(a, b.slice(1)));
}

test('the diff rebuilds both texts, keeps a longest common part and numbers lines from 1', () => {
  for (let seed = 1; seed <= 400; seed++) {
    const r = rng(seed);
    const words = ['a', 'b', 'c', 'd'];
    const text = (n) => Array.from({ length: n }, () => words[Math.floor(r() * words.length)]);
    const a = text(Math.floor(r() * 9));
    const b = text(Math.floor(r() * 9));
    const ops = lineDiff(a, b);
    const old = ops.filter((o) => o.op !== '+').map((o) => o.line);
    const now = ops.filter((o) => o.op !== '-').map((o) => o.line);
    assert.deepEqual(old, a, `seed ${seed}: the old text`);
    assert.deepEqual(now, b, `seed ${seed}: the new text`);
    const kept = ops.filter((o) => o.op === ' ').length;
    assert.equal(kept, lcsBrute(a, b), `seed ${seed}: as few changes as can be`);
    for (const o of ops) {
      if (o.op !== '+') assert.equal(a[o.a - 1], o.line, `seed ${seed}: old line number`);
      if (o.op !== '-') assert.equal(b[o.b - 1], o.line, `seed ${seed}: new line number`);
    }
  }
});

test('one changed line is one line removed then one added, in place', () => {
  const ops = lineDiff(['x = 1', 'y = 2', 'z = 3'], ['x = 1', 'y = 9', 'z = 3']);
  assert.deepEqual(ops.map((o) => `${o.op}${o.line}`), [' x = 1', '-y = 2', '+y = 9', ' z = 3']);
});

test('the default agreement reads as its text says', () => {
  const text = readFileSync(new URL('../../crates/accord-core/src/agreement/default.toml', import.meta.url), 'utf8');
  const a = parseToml(text);
  assert.equal(a.scoring.mql_threshold, 60);
  assert.deepEqual(a.stages.sal.from, ['mql']);
  assert.equal(a.stages.recycled.when.split('\n').length, 3, 'a multi-line string keeps its lines');
  assert.deepEqual(a.scoring.fit.map((r) => r.points), [20, 15, 10, -15, -50]);
  assert.equal(a.scoring.engagement.points.demo_request, 30);
  assert.equal(a.routing.hours.zones.EMEA, 'Europe/London');
  assert.equal(a.routing.rules[0].respect_capacity, false);
  assert.equal(a.sla.escalation.length, 5);
  assert.deepEqual(a.sla.escalation[4].reasons, ['bad_contact_data', 'duplicate']);
  assert.equal(a.sla.marketing.default_monthly_mql_targets.LATAM, 30);
  assert.equal(a.attribution.half_life_days, 7);
});

test('TOML the agreement may use: literal and escaped strings, dotted keys, inline tables; errors name the line', () => {
  const a = parseToml('x.y = \'C:\\path\'\ns = "tab\\tand \\u00e9"\nt = { a = [1, 2,], b = true }\n[[r]]\nn = 1\n[[r]]\nn = 2\n');
  assert.deepEqual(a, { x: { y: 'C:\\path' }, s: 'tab\tand é', t: { a: [1, 2], b: true }, r: [{ n: 1 }, { n: 2 }] });
  assert.throws(() => parseToml('a = 1\nb = \n'), /line 2/);
  assert.throws(() => parseToml('a = 1\na = 2\n'), /line 2: a is defined twice/);
});
