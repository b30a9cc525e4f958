// Leaderboard: won revenue and new logos per rep, and beside them the
// campaigns that share the credit for those wins (sourced: the first
// touch's credit; influenced: credit shared equally among the touches).
// Reads GET /v1/reports/leaderboard and /attribution_campaign.

import { el, section, empty, style, periodQuery, describe } from "./velocity.js";

export async function render(root, ctx) {
  const { fmt } = ctx;
  style("leaderboard", "");
  root.append(el("h1", {}, "Leaderboard"));
  const q = periodQuery(ctx.period);
  const [board, campaigns] = await Promise.all([
    ctx.api(`/v1/reports/leaderboard${q}`),
    ctx.api(`/v1/reports/attribution_campaign${q}`),
  ]);
  const reps = board.reports[0].rows;
  root.append(el("p", { class: "note" }, `Deals won ${describe(ctx.period)}, credited in full to the rep who owns the opportunity; the same revenue is also shared among the campaigns whose touches came before it.`));
  if (reps.length === 0) {
    root.append(empty(ctx.period
      ? "No rep won or lost a deal in this period: pick a longer period (the presets above)."
      : "No rep has an opportunity yet: import reps and opportunities (`accord import`), or send rep_recorded and opportunity events to POST /v1/events."));
    return;
  }
  const teams = [...new Set(reps.map((r) => r.team))].filter(Boolean).sort();
  const team = teams.includes(ctx.params.get("team")) ? ctx.params.get("team") : "";
  const sel = el("select", { id: "lb-team", "data-testid": "leaderboard-team" }, el("option", { value: "" }, "Every team"),
    ...teams.map((t) => el("option", { value: t, ...(t === team ? { selected: "" } : {}) }, t.toUpperCase())));
  sel.addEventListener("change", () => ctx.go(ctx.link("leaderboard", { team: sel.value || null })));
  root.append(el("div", { class: "filters" }, el("label", {}, "Team", sel)));

  const shown = reps.filter((r) => !team || r.team === team);
  const rank = new Map(shown.map((r, i) => [r.rep_id, i + 1])); // the report's order: won revenue
  const best = shown[0];
  const logos = [...shown].sort((a, b) => b.new_logo_deals - a.new_logo_deals || rank.get(a.rep_id) - rank.get(b.rep_id))[0];
  const wonTotal = shown.reduce((s, r) => s + (r.won_usd || 0), 0);
  const share = (r) => (wonTotal ? r.won_usd / wonTotal : 0);
  root.append(el("div", { class: "cards" },
    el("div", { class: "card" }, el("div", { class: "name" }, "Most won revenue"),
      el("div", { class: "value", "data-testid": "leaderboard-top-won", title: fmt.moneyFull(best.won_usd) }, fmt.money(best.won_usd)),
      el("div", { class: "prev" }, `${best.name || best.rep_id} · ${fmt.int(best.won_deals)} deals · ${fmt.pct(share(best))} of the reps' won revenue`)),
    el("div", { class: "card" }, el("div", { class: "name" }, "Most new logos"),
      el("div", { class: "value", "data-testid": "leaderboard-top-logos" }, fmt.int(logos.new_logo_deals)),
      el("div", { class: "prev" }, `${logos.name || logos.rep_id}`))));

  root.append(section("Reps", ctx.table.create(shown, [
    { key: "rank", label: "#", numeric: true, value: (r) => rank.get(r.rep_id) },
    { key: "name", label: "Rep", value: (r) => r.name || r.rep_id, format: (v, r) => el("span", {}, v, el("span", { class: "note" }, ` ${r.rep_id}`)) },
    { key: "team", label: "Team", format: (v) => String(v || "").toUpperCase() },
    { key: "won_usd", label: "Won revenue", numeric: true, format: (v) => fmt.moneyFull(v), testid: (r) => `leaderboard-won-${r.rep_id}` },
    { key: "share", label: "Share", numeric: true, value: share,
      format: (v) => el("span", {}, el("span", { class: "pg-bar", style: `width:${(v * 4).toFixed(2)}rem` }), fmt.pct(v)) },
    { key: "won_deals", label: "Won deals", numeric: true, format: fmt.int },
    { key: "new_logo_deals", label: "New logos", numeric: true, format: fmt.int, testid: (r) => `leaderboard-logos-${r.rep_id}` },
    { key: "avg_won_usd", label: "Average deal", numeric: true, format: (v) => fmt.money(v) },
    { key: "win_rate", label: "Win rate", numeric: true, format: (v) => fmt.pct(v) },
    { key: "open_pipeline_usd", label: "Open pipeline", numeric: true, format: (v) => fmt.money(v) },
    { key: "median_cycle_days", label: "Median cycle", numeric: true, format: (v) => (v == null ? "—" : `${fmt.decimal(v, 1)} d`) },
  ], { testid: "leaderboard-table", caption: `${fmt.int(shown.length)} reps, by won revenue; a header sorts` })));

  // The campaigns sharing the credit for these wins.
  const ca = campaigns.reports[0].rows;
  const sourcedTotal = ca.reduce((s, r) => s + (r.first_touch_usd || 0), 0);
  const top = [...ca].sort((a, b) => (b.linear_usd ?? 0) - (a.linear_usd ?? 0)).slice(0, 10);
  root.append(section("Campaigns sharing the credit",
    el("p", { class: "note" }, "Sourced: the revenue of the wins whose first marketing touch was the campaign's. Influenced: each win's revenue shared equally among its touches. The team filter does not apply: credit is kept per campaign, not per rep."),
    ca.length === 0 || !("first_touch_usd" in ca[0]) || !("linear_usd" in ca[0])
      ? empty(ca.length === 0 ? "No won opportunity has a marketing touch in its window yet." : "The agreement's attribution models leave out first touch or linear: see the Attribution page for the models it lists.")
      : ctx.table.create(top, [
        { key: "campaign_id", label: "Campaign" },
        { key: "won_opportunities", label: "Wins touched", numeric: true, format: fmt.int },
        { key: "first_touch_usd", label: "Sourced", numeric: true, format: (v) => fmt.moneyFull(v) },
        { key: "sourced_share", label: "Share of sourced", numeric: true, value: (r) => (sourcedTotal ? r.first_touch_usd / sourcedTotal : 0), format: (v) => fmt.pct(v) },
        { key: "linear_usd", label: "Influenced", numeric: true, format: (v) => fmt.moneyFull(v), testid: (r) => `leaderboard-influenced-${r.campaign_id}` },
      ], { testid: "leaderboard-campaigns", caption: `The ${fmt.int(top.length)} campaigns with the most influenced revenue, of ${fmt.int(ca.length)}` }),
    el("p", {}, el("a", { href: ctx.link("attribution") }, "Every campaign under every model →"))));
}
