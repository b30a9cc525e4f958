// Attribution: won revenue by channel and by campaign under each model the
// agreement lists (the reports hold a column per listed model; a switcher
// picks the one to sort by), and one opportunity's credit taken apart: the
// user picks a channel or campaign, then one of the won opportunities it was
// credited for. Reads GET /v1/reports/attribution_channel,
// /attribution_campaign, either with `won_by=KEY` (the won opportunities
// crediting a row's key, largest first), and the latter with
// `explain=OPPORTUNITY`.

import { el, section, empty, style, periodQuery, describe } from "./velocity.js";

/** Touches of one opportunity listed before "list all". */
const TOP_TOUCHES = 20;

const ALL_MODELS = ["first_touch", "last_touch", "linear", "u_shaped", "time_decay"];
const MEANING = {
  first_touch: "all credit to the first touch",
  last_touch: "all credit to the last touch before the opportunity",
  linear: "credit shared equally among the touches",
  u_shaped: "40% first, 40% last, 20% shared by those between",
  time_decay: "more credit to touches nearer the opportunity",
};

export async function render(root, ctx) {
  style("attribution", CSS);
  root.append(el("h1", {}, "Attribution"));
  const q = periodQuery(ctx.period);
  const [channels, campaigns] = await Promise.all([
    ctx.api(`/v1/reports/attribution_channel${q}`),
    ctx.api(`/v1/reports/attribution_campaign${q}`),
  ]);
  // The reports hold a credit column for each model the agreement lists.
  const first = channels.reports[0].rows[0] || campaigns.reports[0].rows[0] || {};
  const listed = ALL_MODELS.filter((m) => `${m}_usd` in first);
  const models = listed.length ? listed : ALL_MODELS;
  const model = models.includes(ctx.params.get("model")) ? ctx.params.get("model") : models.includes("linear") ? "linear" : models[0];
  const terms = channels.reports[0].terms || {};
  root.append(el("p", { class: "note" },
    `Won revenue ${describe(ctx.period)}, shared among the marketing touches of each opportunity's account up to ${ctx.fmt.int(terms.lookback_days ?? 0)} days before it was created.`));

  // The model switcher: one button per model, the chosen one pressed.
  const switcher = el("div", { class: "at-models", role: "group", "aria-labelledby": "at-model-label" },
    ...models.map((m) => {
      const b = el("button", { type: "button", class: "at-model", "aria-pressed": m === model ? "true" : "false", title: MEANING[m], "data-model": m }, label(m));
      b.addEventListener("click", () => ctx.go(link(ctx, { model: m })));
      return b;
    }));
  root.append(el("div", { class: "filters at-bar-row" }, el("span", { class: "at-label", id: "at-model-label" }, "Model"), switcher));
  root.append(el("p", { class: "note", "data-testid": "attribution-model" }, el("strong", {}, label(model)), `: ${MEANING[model]}.`));

  const chRows = channels.reports[0].rows;
  const caRows = campaigns.reports[0].rows;
  if (chRows.length === 0) {
    root.append(empty(ctx.period
      ? "No opportunity was won in this period: pick a longer period, or see all time."
      : "No opportunity has been won yet: attribution shares won revenue, so it fills in once opportunities are won (import opportunities.csv, or send opportunity events)."));
  } else {
    const col = `${model}_usd`;
    const total = chRows.reduce((s, r) => s + (r[col] || 0), 0);
    const byChannel = [...chRows].sort((a, b) => b[col] - a[col]);
    root.append(section("By channel", creditTable(ctx, byChannel, "channel", "Channel", models, model, total, "attribution-channel")));
    const byCampaign = [...caRows].sort((a, b) => b[col] - a[col]);
    const top = byCampaign.slice(0, 25);
    root.append(section("By campaign",
      el("p", { class: "note" }, byCampaign.length > top.length
        ? `The 25 campaigns with the most ${label(model).toLowerCase()} credit, of ${ctx.fmt.int(byCampaign.length)}.` : ""),
      creditTable(ctx, top, "campaign_id", "Campaign", models, model, total, "attribution-campaign", true)));
  }
  root.append(await explainSection(ctx, models, model, chRows, caRows));
}

/** This page's link with its parameters changed (the period kept). */
function link(ctx, change) {
  const keep = {};
  for (const k of ["model", "by", "opp"]) if (ctx.params.get(k)) keep[k] = ctx.params.get(k);
  return ctx.link("attribution", { ...keep, ...change });
}

// Rows by `key`: won opportunities, each model's credit (the chosen one
// first, with its share of the total as a bar), and for campaigns the cost
// and the linear ROI.
function creditTable(ctx, rows, key, keyLabel, models, model, total, testid, campaign = false) {
  const { fmt } = ctx;
  const others = models.filter((m) => m !== model);
  return ctx.table.create(rows, [
    { key, label: keyLabel, format: (v) => (key === "channel" ? fmt.label(v) : v) },
    { key: "won_opportunities", label: "Won opps", numeric: true, format: fmt.int },
    { key: `${model}_usd`, label: fmt.label(model), numeric: true, format: (v) => fmt.moneyFull(v), testid: (r) => `${testid}-${r[key]}` },
    { key: "share", label: "Share", numeric: true, value: (r) => (total > 0 ? r[`${model}_usd`] / total : 0),
      format: (v) => el("span", {}, el("span", { class: "pg-bar", style: `width:${(v * 4).toFixed(2)}rem` }), fmt.pct(v)) },
    ...others.map((m) => ({ key: `${m}_usd`, label: fmt.label(m), numeric: true, format: (v) => fmt.money(v) })),
    ...(campaign ? [
      { key: "cost_usd", label: "Cost", numeric: true, format: (v) => fmt.money(v) },
      { key: "linear_roi", label: "Linear ROI", numeric: true, format: (v) => (v == null ? "—" : `${fmt.decimal(v, 1)}×`) },
    ] : []),
  ], { testid, sortKey: `${model}_usd`, sortDir: -1 });
}

// One opportunity's credit: pick a channel or campaign (`by`), then one of
// the won opportunities it was credited for (`opp`); its touches, each one's
// weight and dollars under the chosen model.
async function explainSection(ctx, models, model, chRows, caRows) {
  const { fmt } = ctx;
  const col = `${model}_usd`;
  const by = ctx.params.get("by") || "";
  const opp = (ctx.params.get("opp") || "").trim();
  const option = (value, text) => el("option", { value, selected: value === by }, text);
  const channels = [...chRows].sort((a, b) => b[col] - a[col]);
  const campaigns = [...caRows].sort((a, b) => b[col] - a[col]).slice(0, 50);
  const select = el("select", { id: "at-by", name: "by", "data-testid": "attribution-by" },
    option("", "Pick a channel or campaign…"),
    el("optgroup", { label: "Channels" }, ...channels.map((r) => option(`channel:${r.channel}`, r.channel === "(none)" ? "No marketing touch" : fmt.label(r.channel)))),
    el("optgroup", { label: "Campaigns (the 50 most credited)" }, ...campaigns.map((r) => option(`campaign:${r.campaign_id}`, r.campaign_id === "(none)" ? "No marketing touch" : r.campaign_id))));
  select.addEventListener("change", () => ctx.go(link(ctx, { by: select.value || null, opp: null })));
  const out = section("One opportunity's credit", el("form", { class: "filters" }, el("label", { for: "at-by" }, "Credited to", select)));
  out.querySelector("form").addEventListener("submit", (e) => e.preventDefault());
  if (!by && !opp) {
    out.append(empty("Pick a channel or campaign to list the won opportunities it was credited for, then pick one to see which touches earned its credit, and how much under each model."));
    return out;
  }
  if (by) {
    const [kind, ...rest] = by.split(":");
    const key = rest.join(":");
    const report = kind === "campaign" ? "attribution_campaign" : "attribution_channel";
    try {
      const won = await ctx.api(`/v1/reports/${report}${periodQuery(ctx.period, { won_by: key, limit: "10" })}`);
      const rows = won.reports[0].rows;
      const n = won.explanation?.opportunities ?? rows.length;
      const what = kind === "campaign" ? `campaign ${key}` : fmt.label(key);
      out.append(el("p", { class: "note", "data-testid": "attribution-won-count" },
        n === 0 ? `No won opportunity ${describe(ctx.period)} credits ${what}.`
          : `${fmt.int(n)} won opportunit${n === 1 ? "y" : "ies"} ${describe(ctx.period)} credit${n === 1 ? "s" : ""} ${what}${n > rows.length ? `; the ${rows.length} largest` : ""}. Pick one.`));
      if (rows.length) {
        out.append(ctx.table.create(rows, [
          { key: "opportunity_id", label: "Opportunity", href: (r) => link(ctx, { opp: r.opportunity_id }), testid: (r) => `attribution-won-${r.opportunity_id}` },
          { key: "closed_at", label: "Won", format: fmt.time },
          { key: "amount_usd", label: "Amount", numeric: true, format: (v) => fmt.moneyFull(v) },
          { key: "touches", label: key === "(none)" ? "Marketing touches" : `${kind === "campaign" ? key : fmt.label(key)} touches`, numeric: true, format: fmt.int },
        ], { testid: "attribution-won" }));
      }
    } catch (e) {
      if (e.status !== 422 && e.status !== 400) throw e;
      out.append(empty(`${e.problem?.detail || e.message}.`));
    }
  }
  if (!opp) return out;
  let answer;
  try {
    answer = await ctx.api(`/v1/reports/attribution_campaign?${new URLSearchParams({ explain: opp })}`);
  } catch (e) {
    if (e.status === 422 || e.status === 400 || e.status === 404) {
      out.append(empty(`${e.problem?.detail || e.message}.`));
      return out;
    }
    throw e;
  }
  const all = answer.reports[0].rows;
  out.append(el("h3", {}, `Opportunity ${opp}`));
  out.append(el("p", { "data-testid": "attribution-explain-outcome" }, `${opp}: ${answer.explanation?.outcome ?? ""}`));
  // A win of a large account can have hundreds of touches: the ones with the
  // most credit under the chosen model are listed (in time order; of equal
  // credit, those of the channel or campaign picked above first, then the
  // earliest), the rest counted (no figure is summed here), unless all are
  // asked for.
  const credit = (r) => r[col] || 0;
  const [byKind, ...byRest] = by.split(":");
  const byKey = byRest.join(":");
  const picked = (r) => (byKind === "channel" ? r.channel === byKey : byKind === "campaign" ? r.campaign_id === byKey : false);
  let rows = all;
  if (all.length > TOP_TOUCHES && ctx.params.get("touches") !== "all") {
    const first = (a, b) => credit(b) - credit(a) || Number(picked(b)) - Number(picked(a));
    const top = new Set([...all].sort(first).slice(0, TOP_TOUCHES));
    rows = all.filter((r) => top.has(r));
    const ties = all.some(picked) ? `${byKind === "campaign" ? `campaign ${byKey}` : fmt.label(byKey)}'s first, then the earliest` : "the earliest";
    out.append(el("p", { class: "note", "data-testid": "attribution-explain-rest" },
      `${fmt.int(all.length)} touches: the ${rows.length} with the most ${label(model).toLowerCase()} credit are listed (of equals, ${ties}), the other ${fmt.int(all.length - rows.length)} are not. `,
      el("a", { href: link(ctx, { touches: "all" }), "data-testid": "attribution-explain-all" }, `List all ${fmt.int(all.length)} touches`)));
  }
  const others = models.filter((m) => m !== model && `${m}_usd` in (rows[0] || {}));
  out.append(ctx.table.create(rows, [
    { key: "touch_id", label: "Touch" },
    { key: "occurred_at", label: "When", format: fmt.time },
    { key: "lead_id", label: "Lead", href: (r) => (r.lead_id && ctx.may?.("GET /v1/leads/{id}") ? ctx.link("lead", { id: r.lead_id }) : null) },
    { key: "kind", label: "Kind", format: (v) => (v == null ? "—" : fmt.label(v)) },
    { key: "channel", label: "Channel", format: (v) => (v == null ? "—" : fmt.label(v)) },
    { key: "campaign_id", label: "Campaign" },
    { key: "days_before", label: "Days before", numeric: true, format: (v) => fmt.decimal(v, 1) },
    { key: `${model}_weight`, label: `${fmt.label(model)} weight`, numeric: true, format: (v) => fmt.pct(v, v > 0 && v < 0.001 ? 3 : 1) },
    { key: `${model}_usd`, label: `${fmt.label(model)} credit`, numeric: true, format: (v) => fmt.moneyFull(v), testid: (r) => `attribution-explain-credit-${r.touch_id}` },
    ...others.map((m) => ({ key: `${m}_usd`, label: fmt.label(m), numeric: true, format: (v) => fmt.moneyFull(v) })),
  ], { testid: "attribution-explain" }));
  return out;
}

function label(code) {
  const t = String(code ?? "").replaceAll("_", " ");
  return t.charAt(0).toUpperCase() + t.slice(1);
}

const CSS = `
.at-models { display: inline-flex; flex-wrap: wrap; gap: 6px; }
.at-model { padding: 4px 12px; border-radius: 999px; }
.at-model[aria-pressed="true"] { background: var(--accent); border-color: var(--accent); color: #fff; }
.at-label { font-weight: 600; align-self: center; }
.at-bar-row { align-items: center; }
`;
