// Leaderboard: won revenue and new logos per rep, and beside them the
// campaigns that share the credit for those wins (sourced: the first
// touch's credit; influenced: credit shared equally among the touches).
// Reads GET /v1/reports/leaderboard and /attribution_campaign.

import { el, section, empty, style, periodQuery, describe } from "./velocity.js";

export async function render(root, ctx) {
  style("leaderboard", CSS);
  root.append(el("h1", {}, "Leaderboard"));
  const q = periodQuery(ctx.period);
  const [board, campaigns] = await Promise.all([
    ctx.api(`/v1/reports/leaderboard${q}`),
    ctx.api(`/v1/reports/attribution_campaign${q}`),
  ]);
  const reps = board.reports[0].rows;
  root.append(el("p", { class: "pg-sub" }, `Deals won ${describe(ctx.period)}, credited in full to the rep who owns the opportunity; the same revenue is shared among the campaigns whose touches came before it.`));
  if (reps.length === 0) {
    root.append(empty("No rep has an opportunity yet: import reps and opportunities (`accord import`), or send rep_recorded and opportunity events to POST /v1/events."));
    return;
  }
  const teams = [...new Set(reps.map((r) => r.team))].filter(Boolean).sort();
  const team = teams.includes(ctx.params.get("team")) ? ctx.params.get("team") : "";
  const sel = el("select", { id: "lb-team" }, el("option", { value: "" }, "every team"),
    ...teams.map((t) => el("option", { value: t, ...(t === team ? { selected: "" } : {}) }, t.toUpperCase())));
  sel.addEventListener("change", () => ctx.go(sel.value ? `#/leaderboard?team=${encodeURIComponent(sel.value)}` : "#/leaderboard"));
  root.append(el("div", { class: "pg-controls" }, el("label", { for: "lb-team" }, "Team"), sel));

  const shown = reps.filter((r) => !team || r.team === team);
  const byWon = [...shown].sort((a, b) => b.won_usd - a.won_usd || a.rep_id.localeCompare(b.rep_id));
  const byLogos = [...shown].sort((a, b) => b.new_logo_deals - a.new_logo_deals || b.won_usd - a.won_usd);
  const best = byWon[0];
  const logos = byLogos[0];
  root.append(el("div", { class: "pg-cards" },
    el("div", { class: "pg-card" }, el("div", { class: "pg-card-h" }, "Most won revenue"),
      el("div", { class: "pg-big", "data-testid": "leaderboard-top-won" }, ctx.fmt.money(best.won_usd)),
      el("div", { class: "pg-small" }, `${best.name || best.rep_id} · ${ctx.fmt.number(best.won_deals)} deals`)),
    el("div", { class: "pg-card" }, el("div", { class: "pg-card-h" }, "Most new logos"),
      el("div", { class: "pg-big", "data-testid": "leaderboard-top-logos" }, ctx.fmt.number(logos.new_logo_deals)),
      el("div", { class: "pg-small" }, `${logos.name || logos.rep_id}`))));

  const wonTotal = shown.reduce((s, r) => s + (r.won_usd || 0), 0);
  const state = { key: "won_usd", down: true };
  const box = el("div");
  const columns = [
    ["rank", "#", null, true],
    ["name", "Rep", (r) => el("span", {}, r.name || r.rep_id, el("span", { class: "lb-id" }, ` ${r.rep_id}`))],
    ["team", "Team", (r) => (r.team || "").toUpperCase()],
    ["won_usd", "Won revenue", (r) => ctx.fmt.money(r.won_usd), true],
    ["share", "Share", (r) => el("span", {}, el("span", { class: "lb-bar", style: `width:${((wonTotal ? r.won_usd / wonTotal : 0) * 5).toFixed(2)}rem` }),
      el("span", { class: "lb-pct" }, ctx.fmt.percent(wonTotal ? r.won_usd / wonTotal : 0))), true],
    ["won_deals", "Won deals", (r) => ctx.fmt.number(r.won_deals), true],
    ["new_logo_deals", "New logos", (r) => ctx.fmt.number(r.new_logo_deals), true],
    ["avg_won_usd", "Average deal", (r) => (r.avg_won_usd == null ? "–" : ctx.fmt.money(r.avg_won_usd)), true],
    ["win_rate", "Win rate", (r) => (r.win_rate == null ? "–" : ctx.fmt.percent(r.win_rate)), true],
    ["open_pipeline_usd", "Open pipeline", (r) => ctx.fmt.money(r.open_pipeline_usd), true],
    ["median_cycle_days", "Median cycle", (r) => (r.median_cycle_days == null ? "–" : `${ctx.fmt.number(r.median_cycle_days, 1)} d`), true],
  ];
  const rank = new Map(byWon.map((r, i) => [r.rep_id, i + 1]));
  function draw() {
    const k = state.key === "share" || state.key === "rank" ? "won_usd" : state.key;
    const rows = [...shown].sort((a, b) => {
      const x = a[k], y = b[k];
      const c = typeof x === "number" || typeof y === "number" ? (x ?? -Infinity) - (y ?? -Infinity) : String(x ?? "").localeCompare(String(y ?? ""));
      return (state.down ? -c : c) || rank.get(a.rep_id) - rank.get(b.rep_id);
    });
    const t = el("table", { class: "pg-table", "data-testid": "leaderboard-table" });
    t.append(el("thead", {}, el("tr", {}, ...columns.map(([key, text, , num]) => {
      const on = key === state.key;
      const b = el("button", { type: "button", class: "lb-sort" }, text, on ? (state.down ? " ▼" : " ▲") : "");
      b.addEventListener("click", () => {
        if (state.key === key) state.down = !state.down; else { state.key = key; state.down = !!num && key !== "rank"; }
        draw();
        box.querySelector(`th[data-k="${key}"] button`)?.focus();
      });
      return el("th", { scope: "col", class: num ? "num" : "", "data-k": key, "aria-sort": on ? (state.down ? "descending" : "ascending") : "none" }, b);
    }))));
    const body = el("tbody");
    for (const r of rows) {
      body.append(el("tr", {}, ...columns.map(([key, , f, num]) => key === "rank"
        ? el("td", { class: "num" }, String(rank.get(r.rep_id)))
        : el("td", { class: num ? "num" : "", "data-testid": key === "won_usd" ? `leaderboard-won-${r.rep_id}` : key === "new_logo_deals" ? `leaderboard-logos-${r.rep_id}` : null }, f(r)))));
    }
    t.append(body);
    box.replaceChildren(el("div", { class: "pg-scroll" }, t));
  }
  draw();
  root.append(section("Reps", box));

  // The campaigns sharing the credit for these wins.
  const ca = campaigns.reports[0].rows;
  const sourcedTotal = ca.reduce((s, r) => s + (r.first_touch_usd || 0), 0);
  const top = [...ca].sort((a, b) => b.linear_usd - a.linear_usd).slice(0, 10);
  root.append(section("Campaigns sharing the credit",
    el("p", { class: "pg-small" }, "Sourced: the revenue of the wins whose first marketing touch was the campaign's. Influenced: each win's revenue shared equally among its touches. Team filtering does not apply: credit is per campaign, not per rep."),
    ca.length === 0 ? empty("No won opportunity has a marketing touch in its window yet.") : (() => {
      const t = el("table", { class: "pg-table", "data-testid": "leaderboard-campaigns" });
      t.append(el("thead", {}, el("tr", {},
        el("th", { scope: "col" }, "Campaign"), el("th", { scope: "col", class: "num" }, "Wins touched"),
        el("th", { scope: "col", class: "num" }, "Sourced"), el("th", { scope: "col", class: "num" }, "Share of sourced"),
        el("th", { scope: "col", class: "num" }, "Influenced"))));
      t.append(el("tbody", {}, ...top.map((r) => el("tr", {},
        el("th", { scope: "row" }, r.campaign_id),
        el("td", { class: "num" }, ctx.fmt.number(r.won_opportunities)),
        el("td", { class: "num" }, ctx.fmt.money(r.first_touch_usd)),
        el("td", { class: "num" }, ctx.fmt.percent(sourcedTotal ? r.first_touch_usd / sourcedTotal : 0)),
        el("td", { class: "num", "data-testid": `leaderboard-influenced-${r.campaign_id}` }, ctx.fmt.money(r.linear_usd))))));
      return el("div", { class: "pg-scroll" }, t);
    })(),
    el("p", { class: "pg-small" }, el("a", { href: "#/attribution" }, "Every campaign under every model →"))));
}

const CSS = `
.lb-id { color: var(--muted, #4b5563); font-size: .8em; }
.lb-sort { background: none; border: 0; font: inherit; font-weight: 600; color: inherit; cursor: pointer; padding: 0; }
.lb-sort:focus-visible { outline: 2px solid var(--accent, #1d4ed8); }
.lb-bar { display: inline-block; height: .7rem; background: var(--accent, #1d4ed8); opacity: .75; vertical-align: middle; border-radius: 2px; }
.lb-pct { margin-left: .35rem; font-size: .85em; }
`;
