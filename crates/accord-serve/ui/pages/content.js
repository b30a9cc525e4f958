// Content library: the persona × journey-stage grid (assets, used assets,
// uses) with gaps and unused assets marked, and per asset its uses, leads
// and influenced won revenue, searchable by persona, stage, kind and title.
// Reads GET /v1/reports/content_gaps and GET /v1/reports/content.

import { el, section, empty, style, periodQuery, describe } from "./velocity.js";

const STAGES = ["awareness", "consideration", "decision"];

export async function render(root, ctx) {
  const { fmt } = ctx;
  style("content", CSS);
  root.append(el("h1", {}, "Content library"));
  const q = periodQuery(ctx.period);
  const [gapsAnswer, contentAnswer] = await Promise.all([
    ctx.api(`/v1/reports/content_gaps${q}`),
    ctx.api(`/v1/reports/content${q}`),
  ]);
  const cells = gapsAnswer.reports[0].rows;
  const assets = contentAnswer.reports[0].rows;
  root.append(el("p", { class: "note" }, `Uses are touches of an asset ${describe(ctx.period)}; influenced won revenue is the won revenue of opportunities whose attribution window holds a use of the asset.`));
  if (assets.length === 0) {
    root.append(empty("No content assets yet: import them with `accord import` (content.csv), or send content_recorded events to POST /v1/events. Each asset names a persona and a journey stage."));
    return;
  }

  // The grid.
  const personas = [...new Set(cells.map((c) => c.persona))];
  const stages = [...STAGES.filter((s) => cells.some((c) => c.journey_stage === s)),
    ...[...new Set(cells.map((c) => c.journey_stage))].filter((s) => !STAGES.includes(s))];
  const at = (p, s) => cells.find((c) => c.persona === p && c.journey_stage === s);
  const gaps = cells.filter((c) => c.assets === 0).length;
  const unusedAssets = assets.filter((a) => a.uses === 0).length;
  const state = {
    persona: ctx.params.get("persona") || "",
    stage: ctx.params.get("stage") || "",
    kind: ctx.params.get("kind") || "",
    text: ctx.params.get("q") || "",
    unused: ctx.params.get("unused") === "1",
  };
  root.append(el("div", { class: "cards" },
    card("Assets", fmt.int(assets.length), "content-assets"),
    card("Gaps (empty cells)", fmt.int(gaps), "content-gaps", gaps > 0 ? "ct-card-gap" : ""),
    card("Unused assets", fmt.int(unusedAssets), "content-unused", unusedAssets > 0 ? "ct-card-unused" : "")));

  const grid = el("table", { class: "ct-grid" });
  grid.append(el("caption", { class: "ct-legend" },
    el("span", { class: "ct-key ct-gap" }, "gap: no asset"), " ",
    el("span", { class: "ct-key ct-unused" }, "has unused assets"), " ",
    "Choose a cell to list its assets."));
  grid.append(el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Persona \\ stage"),
    ...stages.map((s) => el("th", { scope: "col" }, label(s))))));
  const body = el("tbody");
  for (const p of personas) {
    const tr = el("tr", {}, el("th", { scope: "row" }, label(p)));
    for (const s of stages) {
      const c = at(p, s) || { assets: 0, used_assets: 0, uses: 0 };
      const unused = c.assets - c.used_assets;
      const cls = c.assets === 0 ? "ct-gap" : unused > 0 ? "ct-unused" : "ct-ok";
      const chosen = state.persona === p && state.stage === s;
      const b = el("button", {
        type: "button", class: `ct-cell ${cls}${chosen ? " ct-chosen" : ""}`,
        "data-testid": `content-cell-${p}-${s}`, "aria-pressed": chosen ? "true" : "false",
        "aria-label": `${label(p)}, ${label(s)}: ${c.assets} assets, ${c.used_assets} used, ${c.uses} uses`,
      },
      el("span", { class: "ct-n" }, fmt.int(c.assets)),
      el("span", { class: "ct-d" }, c.assets === 0 ? "gap" : `${fmt.int(c.used_assets)} used · ${fmt.int(c.uses)} uses`),
      unused > 0 && c.assets > 0 ? el("span", { class: "ct-d ct-warn" }, `${fmt.int(unused)} unused`) : "");
      b.addEventListener("click", () => {
        const same = state.persona === p && state.stage === s;
        state.persona = same ? "" : p;
        state.stage = same ? "" : s;
        syncControls();
        redraw();
        markChosen();
        list.scrollIntoView({ block: "start" });
      });
      tr.append(el("td", {}, b));
    }
    body.append(tr);
  }
  grid.append(body);
  root.append(section("Persona × journey stage", el("div", { class: "table-wrap" }, grid)));

  // Search.
  const kinds = [...new Set(assets.map((a) => a.kind))].filter(Boolean).sort();
  const select = (id, values, value) =>
    el("select", { id, "data-testid": id }, el("option", { value: "" }, "Any"),
      ...values.map((v) => el("option", { value: v, ...(v === value ? { selected: "" } : {}) }, fmt.label(v))));
  const sp = select("ct-persona", personas, state.persona);
  const ss = select("ct-stage", stages, state.stage);
  const sk = select("ct-kind", kinds, state.kind);
  const search = el("input", { id: "ct-q", type: "search", placeholder: "Title or id", value: state.text, "data-testid": "ct-q" });
  const unusedBox = el("input", { id: "ct-unused", type: "checkbox", ...(state.unused ? { checked: "" } : {}) });
  const controls = el("form", { class: "filters", role: "search" },
    el("label", {}, "Persona", sp), el("label", {}, "Stage", ss), el("label", {}, "Kind", sk),
    el("label", {}, "Search", search), el("label", { class: "ct-check" }, unusedBox, " Unused only"));
  controls.addEventListener("submit", (e) => e.preventDefault());
  const syncControls = () => { sp.value = state.persona; ss.value = state.stage; };
  const markChosen = () => {
    for (const b of grid.querySelectorAll(".ct-cell")) {
      const on = b.dataset.testid === `content-cell-${state.persona}-${state.stage}`;
      b.classList.toggle("ct-chosen", on);
      b.setAttribute("aria-pressed", on ? "true" : "false");
    }
  };
  const onChange = () => {
    state.persona = sp.value; state.stage = ss.value; state.kind = sk.value;
    state.text = search.value.trim().toLowerCase(); state.unused = unusedBox.checked;
    markChosen();
    redraw();
  };
  for (const c of [sp, ss, sk, unusedBox]) c.addEventListener("change", onChange);
  search.addEventListener("input", onChange);

  const list = el("div");
  const count = el("p", { class: "note", "aria-live": "polite", "data-testid": "content-count" });
  root.append(section("Assets", controls, count, list));

  let showAll = false;
  const columns = [
    { key: "title", label: "Asset", value: (a) => a.title || a.content_id,
      format: (v, a) => el("span", { class: "pg-wrap" }, v, el("span", { class: "note" }, ` ${a.content_id}`), a.uses === 0 ? el("span", { class: "badge warn ct-tag" }, "unused") : "") },
    { key: "kind", label: "Kind", format: fmt.label },
    { key: "persona", label: "Persona", format: fmt.label },
    { key: "journey_stage", label: "Stage", format: fmt.label },
    { key: "uses", label: "Uses", numeric: true, format: fmt.int },
    { key: "unique_leads", label: "Leads", numeric: true, format: fmt.int },
    { key: "sales_uses", label: "Sales uses", numeric: true, format: fmt.int },
    { key: "influenced_won", label: "Won deals", numeric: true, format: fmt.int },
    { key: "influenced_won_usd", label: "Influenced won", numeric: true, format: (v) => fmt.moneyFull(v), testid: (a) => `content-won-${a.content_id}` },
    { key: "last_used_at", label: "Last used", format: (v) => (v ? fmt.day(v) : "never") },
  ];
  function redraw() {
    const t = state.text;
    const shown = assets.filter((a) =>
      (!state.persona || a.persona === state.persona) && (!state.stage || a.journey_stage === state.stage) &&
      (!state.kind || a.kind === state.kind) && (!state.unused || a.uses === 0) &&
      (!t || (a.title || "").toLowerCase().includes(t) || a.content_id.toLowerCase().includes(t)))
      .sort((x, y) => (y.influenced_won_usd ?? 0) - (x.influenced_won_usd ?? 0) || y.uses - x.uses);
    count.textContent = `${fmt.int(shown.length)} of ${fmt.int(assets.length)} assets, by influenced won revenue; a header sorts.`;
    list.replaceChildren();
    if (shown.length === 0) {
      list.append(empty(state.persona && state.stage && !state.kind && !state.text && !state.unused
        ? `No asset for ${fmt.label(state.persona)} at ${fmt.label(state.stage)}: this is a gap. Plan one, and record it (content.csv or a content_recorded event).`
        : "No asset matches: clear a filter or the search."));
      return;
    }
    const limit = showAll ? shown.length : 50;
    list.append(ctx.table.create(shown.slice(0, limit), columns, {
      testid: "content-assets-table",
      rowClass: (a) => (a.uses === 0 ? "ct-row-unused" : ""),
    }));
    if (shown.length > limit) {
      const more = el("button", { type: "button", "data-testid": "content-show-all" }, `Show all ${fmt.int(shown.length)}`);
      more.addEventListener("click", () => { showAll = true; redraw(); });
      list.append(more);
    }
  }
  redraw();
}

function card(title, value, testid, cls = "") {
  return el("div", { class: `card ${cls}` }, el("div", { class: "name" }, title),
    el("div", { class: "value", "data-testid": testid }, value));
}

function label(code) {
  const t = String(code ?? "").replaceAll("_", " ");
  return t.charAt(0).toUpperCase() + t.slice(1);
}

const CSS = `
.ct-grid { border-collapse: separate; border-spacing: 6px; width: auto; min-width: 30rem; }
.ct-grid th { background: none; text-align: left; padding: 4px; }
.ct-grid td { padding: 0; border: 0; }
.ct-legend { caption-side: bottom; font-size: .85rem; }
.ct-key { display: inline-block; padding: 0 6px; border-radius: 3px; border: 1px solid; }
.ct-cell { display: flex; flex-direction: column; align-items: flex-start; width: 100%; min-width: 8.5rem; padding: 8px 10px; border-radius: var(--radius); border: 1px solid var(--line); background: var(--panel); color: var(--text); text-align: left; min-height: 0; }
.ct-n { font-size: 1.35rem; font-weight: 650; font-variant-numeric: tabular-nums; }
.ct-d { font-size: .8rem; color: var(--muted); }
.ct-gap { background: var(--bad-bg); border-color: var(--down); }
.ct-gap .ct-d, .ct-gap .ct-n { color: #7a1410; font-weight: 600; }
.ct-unused { background: var(--warn-bg); border-color: #b45309; }
.ct-warn { color: var(--warn); font-weight: 600; }
.ct-chosen { box-shadow: 0 0 0 3px var(--accent); }
.ct-card-gap { border-color: var(--down); } .ct-card-unused { border-color: #b45309; }
.ct-check { display: flex !important; grid-auto-flow: column; align-items: center; gap: 4px; }
.ct-tag { margin-left: 6px; }
tr.ct-row-unused td { background: #fffaf0; }
`;
