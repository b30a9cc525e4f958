// A sortable table: header buttons sort (keyboard-usable), numbers align
// right, cells may link to a page. Rows are the API's objects as they come.
//
//   table.create(rows, [
//     { key: 'month', label: 'Month', format: fmt.month },
//     { key: 'leads', label: 'Leads', numeric: true, format: fmt.int,
//       href: (row) => '#/lead?id=' + row.lead_id, testid: (row) => 'leads-' + row.month },
//   ], { caption: 'Leads per month', empty: 'No leads in this period.' })

/** A sortable <table> (wrapped in a scrolling <div>) of `rows`. */
export function create(rows, columns, opts = {}) {
  const wrap = document.createElement('div');
  wrap.className = 'table-wrap';
  if (!rows || rows.length === 0) {
    const p = document.createElement('p');
    p.className = 'empty';
    p.textContent = opts.empty || 'Nothing to show for this period.';
    wrap.append(p);
    return wrap;
  }
  const t = document.createElement('table');
  if (opts.testid) t.dataset.testid = opts.testid;
  if (opts.caption) {
    const c = document.createElement('caption');
    c.textContent = opts.caption;
    t.append(c);
  }
  const thead = t.createTHead();
  const hr = thead.insertRow();
  const tbody = t.createTBody();
  let sortKey = opts.sortKey ?? null;
  let sortDir = opts.sortDir ?? 1;

  const ths = columns.map((col) => {
    const th = document.createElement('th');
    th.scope = 'col';
    if (col.numeric) th.className = 'num';
    if (col.sortable === false) {
      th.textContent = col.label;
    } else {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'sort';
      b.textContent = col.label;
      b.addEventListener('click', () => {
        sortDir = sortKey === col.key ? -sortDir : (col.numeric ? -1 : 1);
        sortKey = col.key;
        fill();
      });
      th.append(b);
    }
    hr.append(th);
    return th;
  });

  function value(row, col) {
    return col.value ? col.value(row) : row[col.key];
  }

  function fill() {
    const col = columns.find((c) => c.key === sortKey);
    const sorted = col ? [...rows].sort((a, b) => sortDir * compare(value(a, col), value(b, col))) : rows;
    ths.forEach((th, i) => {
      const c = columns[i];
      th.setAttribute('aria-sort', c.key === sortKey ? (sortDir > 0 ? 'ascending' : 'descending') : 'none');
    });
    tbody.replaceChildren(...sorted.map((row) => {
      const tr = document.createElement('tr');
      if (opts.rowClass) {
        const cls = opts.rowClass(row);
        if (cls) tr.className = cls;
      }
      for (const c of columns) {
        const td = document.createElement('td');
        if (c.numeric) td.className = 'num';
        const v = value(row, c);
        const text = c.format ? c.format(v, row) : (v ?? '—');
        const href = c.href ? c.href(row) : null;
        let node;
        if (text instanceof Node) {
          node = text;
        } else if (href) {
          node = document.createElement('a');
          node.href = href;
          node.textContent = text;
        } else {
          node = document.createTextNode(String(text));
        }
        if (c.testid) {
          td.dataset.testid = c.testid(row);
        }
        td.append(node);
        tr.append(td);
      }
      return tr;
    }));
  }
  fill();
  wrap.append(t);
  return wrap;
}

/** Numbers (and numeric strings) by value, the rest as text; empties last. */
export function compare(a, b) {
  const na = a === null || a === undefined || a === '';
  const nb = b === null || b === undefined || b === '';
  if (na || nb) return na === nb ? 0 : na ? 1 : -1;
  const x = Number(a), y = Number(b);
  if (Number.isFinite(x) && Number.isFinite(y)) return x - y;
  return String(a).localeCompare(String(b));
}
