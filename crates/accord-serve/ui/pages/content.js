// Content library: the persona × journey-stage grid (assets, used assets,
// uses) with gaps and unused assets marked, and per asset its uses, leads
// and influenced won revenue, searchable by persona, stage, kind and title.
// Reads GET /v1/reports/content_gaps and GET /v1/reports/content.

import { el, section, empty, style, periodQuery, describe } from "./velocity.js";

const STAGES = ["awareness", "consideration", "decision"];

export async function render(root, ctx) {
  style("content", CSS);
  root.append(el("h1", {}, "Content library"));
  const q = periodQuery(ctx.period);
  const [gapsAnswer, contentAnswer] = await Promise.all([
    ctx.api(`/v1/reports/content_gaps${q}`),
    ctx.api(`/v1/reports/content${q}`),
  ]);
  const cells = gapsAnswer.reports[0].rows;
  const assets = contentAnswer.reports[0].rows;
  root.append(el("p", { class: "pg-sub" }, `Uses are touches of an asset ${describe(ctx.period)}; influenced won revenue is the won revenue of opportunities whose attribution window holds a use of the asset.`));
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
  root.append(el("div", { class: "pg-cards" },
    card("Assets", ctx.fmt.number(assets.length), "content-assets"),
    card("Gaps (empty cells)", ctx.fmt.number(gaps), "content-gaps", gaps > 0 ? "ct-card-gap" : ""),
    card("Unused assets", ctx.fmt.number(unusedAssets), "content-unused", unusedAssets > 0 ? "ct-card-unused" : "")));

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
      el("span", { class: "ct-n" }, ctx.fmt.number(c.assets)),
      el("span", { class: "ct-d" }, c.assets === 0 ? "gap" : `${ctx.fmt.number(c.used_assets)} used · ${ctx.fmt.number(c.uses)} uses`),
      unused > 0 && c.assets > 0 ? el("span", { class: "ct-d ct-warn" }, `${ctx.fmt.number(unused)} unused`) : "");
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
  root.append(section("Persona × journey stage", el("div", { class: "pg-scroll" }, grid)));

  // Search.
  const kinds = [...new Set(assets.map((a) => a.kind))].filter(Boolean).sort();
  const select = (id, text, values, value) =>
    [el("label", { for: id }, text), el("select", { id }, el("option", { value: "" }, "any"),
      ...values.map((v) => el("option", { value: v, ...(v === value ? { selected: "" } : {}) }, label(v))))];
  const [lp, sp] = select("ct-persona", "Persona", personas, state.persona);
  const [ls, ss] = select("ct-stage", "Stage", stages, state.stage);
  const [lk, sk] = select("ct-kind", "Kind", kinds, state.kind);
  const search = el("input", { id: "ct-q", type: "search", placeholder: "title or id", value: state.text });
  const unusedBox = el("input", { id: "ct-unused", type: "checkbox", ...(state.unused ? { checked: "" } : {}) });
  const controls = el("form", { class: "pg-controls", role: "search" },
    lp, sp, ls, ss, lk, sk, el("label", { for: "ct-q" }, "Search"), search,
    el("label", { class: "ct-check" }, unusedBox, " unused only"));
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
  const count = el("p", { class: "pg-small", "aria-live": "polite" });
  root.append(section("Assets", controls, count, list));

  let sortKey = "influenced_won_usd";
  let showAll = false;
  let sortDown = true;
  const columns = [
    ["title", "Asset", (a) => el("span", {}, el("span", { class: "ct-title" }, a.title || a.content_id), el("span", { class: "ct-id" }, ` ${a.content_id}`),
      a.uses === 0 ? el("span", { class: "ct-tag" }, "unused") : "")],
    ["kind", "Kind", (a) => label(a.kind)],
    ["persona", "Persona", (a) => label(a.persona)],
    ["journey_stage", "Stage", (a) => label(a.journey_stage)],
    ["uses", "Uses", (a) => ctx.fmt.number(a.uses), true],
    ["unique_leads", "Leads", (a) => ctx.fmt.number(a.unique_leads), true],
    ["sales_uses", "Sales uses", (a) => ctx.fmt.number(a.sales_uses), true],
    ["influenced_won", "Won deals", (a) => ctx.fmt.number(a.influenced_won), true],
    ["influenced_won_usd", "Influenced won", (a) => ctx.fmt.money(a.influenced_won_usd), true],
    ["last_used_at", "Last used", (a) => (a.last_used_at ? a.last_used_at.slice(0, 10) : "never")],
  ];
  function redraw() {
    const t = state.text;
    const shown = assets.filter((a) =>
      (!state.persona || a.persona === state.persona) && (!state.stage || a.journey_stage === state.stage) &&
      (!state.kind || a.kind === state.kind) && (!state.unused || a.uses === 0) &&
      (!t || (a.title || "").toLowerCase().includes(t) || a.content_id.toLowerCase().includes(t)));
    const key = columns.find((c) => c[0] === sortKey);
    shown.sort((x, y) => {
      const a = x[sortKey], b = y[sortKey];
      const c = key[3] ? (a ?? -1) - (b ?? -1) : String(a ?? "").localeCompare(String(b ?? ""));
      return sortDown ? -c : c;
    });
    count.textContent = `${ctx.fmt.number(shown.length)} of ${ctx.fmt.number(assets.length)} assets`;
    list.replaceChildren();
    if (shown.length === 0) {
      list.append(empty(state.persona && state.stage && !state.kind && !state.text && !state.unused
        ? `No asset for ${label(state.persona)} at ${label(state.stage)}: this is a gap. Plan one, and record it (content.csv or a content_recorded event).`
        : "No asset matches: clear a filter or the search."));
      return;
    }
    const table = el("table", { class: "pg-table", "data-testid": "content-assets-table" });
    table.append(el("thead", {}, el("tr", {}, ...columns.map(([k, text, , num]) => {
      const sorted = k === sortKey;
      const b = el("button", { type: "button", class: "ct-sort" }, text, sorted ? (sortDown ? " ▼" : " ▲") : "");
      b.addEventListener("click", () => {
        if (sortKey === k) sortDown = !sortDown; else { sortKey = k; sortDown = !!num; }
        redraw();
        list.querySelector(`th[data-k="${k}"] button`)?.focus();
      });
      return el("th", { scope: "col", class: num ? "num" : "", "data-k": k,
        "aria-sort": sorted ? (sortDown ? "descending" : "ascending") : "none" }, b);
    }))));
    const tb = el("tbody");
    const limit = showAll ? 500 : 50;
    for (const a of shown.slice(0, limit)) {
      tb.append(el("tr", { class: a.uses === 0 ? "ct-row-unused" : "" },
        ...columns.map(([k, , f, num]) => el("td", { class: num ? "num" : k === "title" ? "ct-asset" : "", "data-testid": k === "influenced_won_usd" ? `content-won-${a.content_id}` : null }, f(a)))));
    }
    table.append(tb);
    list.append(el("div", { class: "pg-scroll" }, table));
    if (shown.length > limit && !showAll) {
      const more = el("button", { type: "button", class: "ct-more" }, `Show all ${ctx.fmt.number(shown.length)}`);
      more.addEventListener("click", () => { showAll = true; redraw(); });
      list.append(more);
    } else if (shown.length > limit) {
      list.append(el("p", { class: "pg-small" }, "The first 500 are shown: narrow the search to see the others."));
    }
  }
  redraw();
}

function card(title, value, testid, cls = "") {
  return el("div", { class: `pg-card ${cls}` }, el("div", { class: "pg-card-h" }, title),
    el("div", { class: "pg-big", "data-testid": testid }, value));
}

function label(code) {
  return String(code ?? "").replaceAll("_", " ");
}

const CSS = `
.ct-grid { border-collapse: separate; border-spacing: .35rem; min-width: 32rem; }
.ct-grid th { text-align: left; font-weight: 600; padding: .25rem; }
.ct-grid thead th { text-transform: capitalize; }
.ct-grid tbody th { text-transform: capitalize; white-space: nowrap; }
.ct-legend { caption-side: bottom; text-align: left; font-size: .85rem; color: var(--muted, #4b5563); padding-top: .35rem; }
.ct-key { display: inline-block; padding: .05rem .4rem; border-radius: 3px; border: 1px solid; }
.ct-cell { display: flex; flex-direction: column; align-items: flex-start; width: 100%; min-width: 8rem; padding: .5rem .6rem; border-radius: 6px; border: 1px solid var(--line, #d1d5db); background: var(--card, #fff); color: inherit; font: inherit; cursor: pointer; text-align: left; }
.ct-cell:focus-visible { outline: 3px solid var(--accent, #1d4ed8); outline-offset: 2px; }
.ct-n { font-size: 1.35rem; font-weight: 600; font-variant-numeric: tabular-nums; }
.ct-d { font-size: .8rem; color: var(--muted, #4b5563); }
.ct-gap { background: #fde8e8; border-color: #b91c1c; color: #7f1d1d; }
.ct-gap .ct-d { color: #7f1d1d; font-weight: 600; }
.ct-unused { background: #fff7e0; border-color: #b45309; }
.ct-warn { color: #8a4b00; font-weight: 600; }
.ct-chosen { box-shadow: 0 0 0 3px var(--accent, #1d4ed8); }
.ct-card-gap { border-color: #b91c1c; } .ct-card-unused { border-color: #b45309; }
.ct-check { display: inline-flex; align-items: center; gap: .25rem; }
.ct-sort { background: none; border: 0; font: inherit; font-weight: 600; color: inherit; cursor: pointer; padding: 0; }
.ct-sort:focus-visible { outline: 2px solid var(--accent, #1d4ed8); }
.ct-id { color: var(--muted, #4b5563); font-size: .8em; }
.ct-tag { margin-left: .4rem; font-size: .75rem; background: #fff1c2; color: #6b3a00; border: 1px solid #b45309; border-radius: 3px; padding: 0 .3rem; }
.ct-row-unused td { background: #fffbeb; }
.ct-title { font-weight: 500; }
.pg-table td.ct-asset { white-space: normal; min-width: 14rem; }
.ct-more { font: inherit; padding: .35rem .8rem; margin: .5rem 0; }
`;
