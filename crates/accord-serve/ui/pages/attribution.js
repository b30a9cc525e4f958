// Attribution: won revenue by channel and by campaign under each model the
// agreement lists (the reports hold a column per listed model; a switcher
// picks the one to sort by), and one opportunity's credit taken apart.
// Reads GET /v1/reports/attribution_channel, /attribution_campaign, and the
// latter with `explain=OPPORTUNITY`.

import { el, section, empty, style, periodQuery, describe } from "./velocity.js";

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
  root.append(el("p", { class: "pg-sub" },
    `Won revenue ${describe(ctx.period)}, shared among the marketing touches of each opportunity's account up to ${ctx.fmt.number(terms.lookback_days ?? 0)} days before it was created.`));

  // The model switcher: one button per model, the chosen one pressed.
  const switcher = el("div", { class: "at-models", role: "group", "aria-label": "Attribution model" },
    ...models.map((m) => {
      const b = el("button", { type: "button", class: "at-model", "aria-pressed": m === model ? "true" : "false", title: MEANING[m], "data-model": m }, label(m));
      b.addEventListener("click", () => ctx.go(link(ctx, { model: m })));
      return b;
    }));
  root.append(el("div", { class: "pg-controls" }, el("span", { class: "at-label" }, "Model"), switcher));
  root.append(el("p", { class: "pg-small", "data-testid": "attribution-model" }, el("strong", { class: "at-cap" }, label(model)), `: ${MEANING[model]}.`));

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
      el("p", { class: "pg-small" }, byCampaign.length > top.length
        ? `The 25 campaigns with the most ${label(model)} credit, of ${ctx.fmt.number(byCampaign.length)}.` : ""),
      creditTable(ctx, top, "campaign_id", "Campaign", models, model, total, "attribution-campaign", true)));
  }
  root.append(await explainSection(ctx, models, model));
}

function link(ctx, change) {
  const p = new URLSearchParams(ctx.params);
  for (const [k, v] of Object.entries(change)) if (v == null || v === "") p.delete(k); else p.set(k, v);
  return `#/attribution?${p}`;
}

// Rows by `key`: won opportunities, each model's credit (the chosen one
// first, with its share of the total as a bar), and for campaigns the cost
// and the linear ROI.
function creditTable(ctx, rows, key, keyLabel, models, model, total, testid, campaign = false) {
  const others = models.filter((m) => m !== model);
  const t = el("table", { class: "pg-table", "data-testid": testid });
  t.append(el("thead", {}, el("tr", {},
    el("th", { scope: "col" }, keyLabel),
    el("th", { scope: "col", class: "num" }, "Won opps"),
    el("th", { scope: "col", class: "num at-chosen" }, label(model)),
    el("th", { scope: "col" }, "Share"),
    ...others.map((m) => el("th", { scope: "col", class: "num at-other" }, label(m))),
    ...(campaign ? [el("th", { scope: "col", class: "num" }, "Cost"), el("th", { scope: "col", class: "num" }, "Linear ROI")] : []))));
  const body = el("tbody");
  for (const r of rows) {
    const v = r[`${model}_usd`];
    const share = total > 0 ? v / total : 0;
    body.append(el("tr", {},
      el("th", { scope: "row" }, label(r[key])),
      el("td", { class: "num" }, ctx.fmt.number(r.won_opportunities)),
      el("td", { class: "num at-chosen", "data-testid": `${testid}-${r[key]}` }, ctx.fmt.money(v)),
      el("td", { class: "at-share" }, el("span", { class: "at-bar", style: `width:${(share * 5).toFixed(2)}rem` }), el("span", { class: "at-pct" }, ctx.fmt.percent(share))),
      ...others.map((m) => el("td", { class: "num at-other" }, ctx.fmt.money(r[`${m}_usd`]))),
      ...(campaign ? [el("td", { class: "num" }, r.cost_usd == null ? "–" : ctx.fmt.money(r.cost_usd)),
        el("td", { class: "num" }, r.linear_roi == null ? "–" : `${ctx.fmt.number(r.linear_roi)}×`)] : [])));
  }
  t.append(body);
  return el("div", { class: "pg-scroll" }, t);
}

// One opportunity's credit: its touches, each one's weight and dollars
// under the chosen model.
async function explainSection(ctx, models, model) {
  const opp = (ctx.params.get("opp") || "").trim();
  const input = el("input", { id: "at-opp", name: "opp", type: "text", value: opp, placeholder: "e.g. O000042", autocomplete: "off", spellcheck: "false" });
  const form = el("form", { class: "pg-controls" }, el("label", { for: "at-opp" }, "Opportunity id"), input, el("button", { type: "submit" }, "Explain"));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    ctx.go(link(ctx, { opp: input.value.trim() }));
  });
  const out = section("One opportunity's credit", form);
  if (!opp) {
    out.append(empty("Type an opportunity's id (the CRM's, as imported; a lead's page lists its opportunities) and press Explain to see which touches earned its credit under each model."));
    return out;
  }
  let answer;
  try {
    answer = await ctx.api(`/v1/reports/attribution_campaign?${new URLSearchParams({ explain: opp })}`);
  } catch (e) {
    if (e.status === 422 || e.status === 400 || e.status === 404) {
      out.append(empty(`${e.problem?.detail || e.message}. Check the id: opportunity ids are the CRM's (as imported).`));
      return out;
    }
    throw e;
  }
  const rows = answer.reports[0].rows;
  out.append(el("p", { "data-testid": "attribution-explain-outcome" }, `${opp}: ${answer.explanation?.outcome ?? ""}`));
  const others = models.filter((m) => m !== model);
  const t = el("table", { class: "pg-table", "data-testid": "attribution-explain" });
  t.append(el("thead", {}, el("tr", {},
    el("th", { scope: "col" }, "Touch"), el("th", { scope: "col" }, "When"), el("th", { scope: "col" }, "Lead"),
    el("th", { scope: "col" }, "Kind"), el("th", { scope: "col" }, "Channel"), el("th", { scope: "col" }, "Campaign"),
    el("th", { scope: "col", class: "num" }, "Days before"),
    el("th", { scope: "col", class: "num at-chosen" }, `${label(model)} weight`),
    el("th", { scope: "col", class: "num at-chosen" }, `${label(model)} credit`),
    ...others.map((m) => el("th", { scope: "col", class: "num at-other" }, label(m))))));
  const body = el("tbody");
  for (const r of rows) {
    body.append(el("tr", {},
      el("th", { scope: "row" }, r.touch_id),
      el("td", {}, r.occurred_at ? r.occurred_at.replace("T", " ").replace("Z", "") : "–"),
      el("td", {}, r.lead_id ?? "–"),
      el("td", {}, label(r.kind ?? "–")),
      el("td", {}, label(r.channel ?? "–")),
      el("td", {}, r.campaign_id ?? "–"),
      el("td", { class: "num" }, r.days_before == null ? "–" : ctx.fmt.number(r.days_before, 1)),
      el("td", { class: "num at-chosen" }, ctx.fmt.percent(r[`${model}_weight`])),
      el("td", { class: "num at-chosen", "data-testid": `attribution-explain-credit-${r.touch_id}` }, ctx.fmt.money(r[`${model}_usd`])),
      ...others.map((m) => el("td", { class: "num at-other" }, ctx.fmt.money(r[`${m}_usd`])))));
  }
  t.append(body);
  out.append(el("div", { class: "pg-scroll" }, t));
  return out;
}

function label(code) {
  return String(code ?? "").replaceAll("_", " ");
}

const CSS = `
.at-models { display: inline-flex; flex-wrap: wrap; gap: .35rem; }
.at-model { font: inherit; padding: .35rem .7rem; border-radius: 999px; border: 1px solid var(--line, #9ca3af); background: var(--card, #fff); color: inherit; cursor: pointer; text-transform: capitalize; }
.at-model[aria-pressed="true"] { background: var(--accent, #1d4ed8); border-color: var(--accent, #1d4ed8); color: #fff; }
.at-model:focus-visible { outline: 3px solid var(--accent, #1d4ed8); outline-offset: 2px; }
.at-label { font-weight: 600; }
.at-cap { text-transform: capitalize; }
.pg-table .at-chosen { font-weight: 600; }
.pg-table th.at-chosen, .pg-table th.at-other { text-transform: capitalize; }
.pg-table .at-other { color: var(--muted, #4b5563); }
.at-share { min-width: 8rem; position: relative; }
.at-bar { display: inline-block; height: .7rem; background: var(--accent, #1d4ed8); opacity: .75; vertical-align: middle; border-radius: 2px; max-width: 5rem; }
.at-pct { margin-left: .35rem; font-size: .85em; }
`;
