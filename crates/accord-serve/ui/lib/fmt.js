// Numbers for people: grouped integers, money, percentages, durations,
// dates and changes. Every figure on every page goes through here.

const LOCALE = 'en-US';
const intFmt = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 0 });
const dec1 = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 1, minimumFractionDigits: 1 });

/** A number as it reads in the API: numbers, numeric strings, null. */
export function num(v) {
  if (v === null || v === undefined || v === '') return null;
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? n : null;
}

const DASH = '—';

/** 12345 -> "12,345"; null -> "—". */
export function int(v) {
  const n = num(v);
  return n === null ? DASH : intFmt.format(n);
}

/** A number with up to `digits` decimals. */
export function decimal(v, digits = 1) {
  const n = num(v);
  if (n === null) return DASH;
  return new Intl.NumberFormat(LOCALE, { maximumFractionDigits: digits }).format(n);
}

/** Money in whole units (the API's amounts are in the currency's units):
 * 1234567 -> "$1.23M", 45600 -> "$45.6k", 950 -> "$950". */
export function money(v, currency = '$') {
  const n = num(v);
  if (n === null) return DASH;
  const a = Math.abs(n), s = n < 0 ? '-' : '';
  if (a >= 1e9) return `${s}${currency}${dec2(a / 1e9)}B`;
  if (a >= 1e6) return `${s}${currency}${dec2(a / 1e6)}M`;
  if (a >= 1e4) return `${s}${currency}${dec1.format(a / 1e3)}k`;
  return `${s}${currency}${intFmt.format(a)}`;
}

function dec2(x) {
  return new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 2, minimumFractionDigits: 2 }).format(x);
}

/** Money in full: 1234567.5 -> "$1,234,568". */
export function moneyFull(v, currency = '$') {
  const n = num(v);
  return n === null ? DASH : `${n < 0 ? '-' : ''}${currency}${intFmt.format(Math.abs(n))}`;
}

/** A ratio (0.4231) as a percentage: "42.3%". */
export function pct(v, digits = 1) {
  const n = num(v);
  if (n === null) return DASH;
  return `${new Intl.NumberFormat(LOCALE, { maximumFractionDigits: digits, minimumFractionDigits: digits }).format(n * 100)}%`;
}

/** A change as the API gives it (current minus previous), in the figure's
 * own format, with its size against the previous figure:
 * delta(37, int, 156) -> "▲ 37 (+23.7%)"; delta(0, int, 5) -> "no change". */
export function delta(v, format = int, previous = null) {
  const n = num(v);
  if (n === null) return DASH;
  if (n === 0) return 'no change';
  const p = num(previous);
  const rel = p ? ` (${n > 0 ? '+' : '-'}${pct(Math.abs(n / p))})` : '';
  return `${n > 0 ? '▲' : '▼'} ${format(Math.abs(n))}${rel}`;
}

/** A change of a ratio (0.05 = 5 points): "▲ 5.0 pts". */
export function deltaPoints(v) {
  const n = num(v);
  if (n === null) return DASH;
  if (n === 0) return 'no change';
  return `${n > 0 ? '▲' : '▼'} ${decimal(Math.abs(n) * 100, 1)} pts`;
}

/** The CSS class a change reads with ("up", "down", "flat"). */
export function changeClass(v) {
  const n = num(v);
  if (n === null || n === 0) return 'flat';
  return n > 0 ? 'up' : 'down';
}

/** A duration in seconds: "2 d 4 h", "3 h 12 min", "45 min", "30 s". */
export function duration(secs) {
  const n = num(secs);
  if (n === null) return DASH;
  const sign = n < 0 ? '-' : '';
  let s = Math.round(Math.abs(n));
  const d = Math.floor(s / 86400); s -= d * 86400;
  const h = Math.floor(s / 3600); s -= h * 3600;
  const m = Math.floor(s / 60); s -= m * 60;
  if (d > 0) return `${sign}${d} d${h ? ` ${h} h` : ''}`;
  if (h > 0) return `${sign}${h} h${m ? ` ${m} min` : ''}`;
  if (m > 0) return `${sign}${m} min`;
  return `${sign}${s} s`;
}

/** Hours (the API's velocity and SLA unit) as a duration. */
export function hours(v) {
  const n = num(v);
  return n === null ? DASH : duration(n * 3600);
}

/** An RFC 3339 time as "2026-03-02 10:05 UTC". */
export function time(t) {
  if (!t) return DASH;
  const d = new Date(t);
  if (Number.isNaN(d.getTime())) return String(t);
  return `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 16)} UTC`;
}

/** An RFC 3339 time as its day. */
export function day(t) {
  if (!t) return DASH;
  return String(t).slice(0, 10);
}

/** "2026-03" -> "Mar 2026"; anything else unchanged. */
export function month(m) {
  const x = /^(\d{4})-(\d{2})$/.exec(String(m ?? ''));
  if (!x) return m ?? DASH;
  const names = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  return `${names[Number(x[2]) - 1]} ${x[1]}`;
}

/** snake_case words as a label: "sla_followup" -> "Sla followup". */
export function label(s) {
  const t = String(s ?? '').replace(/_/g, ' ');
  return t.charAt(0).toUpperCase() + t.slice(1);
}
