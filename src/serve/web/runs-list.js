/* global setInterval, clearInterval */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { fetchJson, formatDuration, formatNumber, formatPercent } from './api.js';
import { html } from './html.js';
import { StatusBadge } from './status-badge.js';

const COLUMNS = [
  { key: 'name', label: 'run', value: (r) => r.name },
  { key: 'status', label: 'status', value: (r) => r.status },
  { key: 'model', label: 'model', value: (r) => r.model ?? '' },
  { key: 'epochs', label: 'epochs', num: true, value: (r) => r.epochsCompleted },
  {
    key: 'loss',
    label: 'loss',
    num: true,
    value: (r) => r.lastEpoch?.loss ?? null,
    show: (v) => formatNumber(v),
  },
  {
    key: 'valLoss',
    label: 'best val loss',
    num: true,
    value: (r) => r.bestValLoss,
    show: (v) => formatNumber(v),
  },
  { key: 'valAcc', label: 'best val acc', num: true, value: (r) => r.bestValAccuracy, show: formatPercent },
  { key: 'testAcc', label: 'test acc', num: true, value: (r) => r.testAccuracy, show: formatPercent },
  { key: 'duration', label: 'time', num: true, value: (r) => r.durationSeconds, show: formatDuration },
  {
    key: 'created',
    label: 'created',
    value: (r) => r.createdAt ?? '',
    show: (v) => (v ? v.replace('T', ' ').slice(0, 19) : '–'),
  },
];

function compare(a, b) {
  if (a === b) return 0;
  if (a === null || a === undefined) return 1;
  if (b === null || b === undefined) return -1;
  return a < b ? -1 : 1;
}

/** Every run in the folder, refreshed every two seconds; click a header to sort, tick runs to compare. */
export function RunsList() {
  const [runs, setRuns] = useState(null);
  const [error, setError] = useState(null);
  const [sort, setSort] = useState({ key: 'created', desc: true });
  const [selected, setSelected] = useState(new Set());

  useEffect(() => {
    let stopped = false;
    const load = () =>
      fetchJson('/api/runs')
        .then((body) => !stopped && (setRuns(body.runs), setError(null)))
        .catch((err) => !stopped && setError(err.message));
    load();
    const timer = setInterval(load, 2000);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, []);

  const sorted = useMemo(() => {
    if (!runs) return [];
    const column = COLUMNS.find((c) => c.key === sort.key);
    const rows = [...runs].sort((a, b) => compare(column.value(a), column.value(b)));
    if (sort.desc) rows.reverse();
    return rows;
  }, [runs, sort]);

  const toggle = (name) => {
    const next = new Set(selected);
    if (next.has(name)) next.delete(name);
    else next.add(name);
    setSelected(next);
  };
  const compareHref = `#/compare?runs=${[...selected].map(encodeURIComponent).join(',')}`;

  return html`
    <h1>Runs</h1>
    ${error && html`<p class="error">${error}</p>`}
    ${
      runs === null
        ? html`<p class="muted">Loading…</p>`
        : runs.length === 0
          ? html`<p class="muted">No runs yet: train one with <code>visionlab train</code>.</p>`
          : html`
              <p>
                <a
                  class="button"
                  id="compare-selected"
                  href=${selected.size >= 2 ? compareHref : undefined}
                  aria-disabled=${selected.size < 2}
                  style=${selected.size < 2 ? 'opacity:0.5' : ''}
                >
                  Compare ${selected.size} selected
                </a>
              </p>
              <table id="runs-table">
                <thead>
                  <tr>
                    <th></th>
                    ${COLUMNS.map(
                      (c) =>
                        html`<th
                          class=${c.num ? 'num' : ''}
                          aria-sort=${sort.key === c.key ? (sort.desc ? 'descending' : 'ascending') : 'none'}
                        >
                          <button
                            data-sort=${c.key}
                            onClick=${() => setSort({ key: c.key, desc: sort.key === c.key ? !sort.desc : false })}
                          >
                            ${c.label}${sort.key === c.key ? (sort.desc ? ' ▼' : ' ▲') : ''}
                          </button>
                        </th>`,
                    )}
                    <th></th>
                  </tr>
                </thead>
                <tbody>
                  ${sorted.map(
                    (r) =>
                      html`<tr data-run=${r.name}>
                        <td>
                          <input
                            type="checkbox"
                            aria-label=${`select ${r.name}`}
                            checked=${selected.has(r.name)}
                            onChange=${() => toggle(r.name)}
                          />
                        </td>
                        ${COLUMNS.map((c) => {
                          const value = c.value(r);
                          // A freeze-point search opens as the comparison of its trials.
                          if (c.key === 'name' && r.kind === 'search')
                            return html`<td>
                              <a href=${`#/compare?runs=${encodeURIComponent(r.name)}`}>${r.name}</a>
                              <span class="muted">
                                search, ${r.trials} trial${r.trials === 1 ? '' : 's'}</span
                              >
                            </td>`;
                          if (c.key === 'name')
                            return html`<td>
                              <a href=${`#/run/${encodeURIComponent(r.name)}`}>${r.name}</a>
                            </td>`;
                          if (c.key === 'status') return html`<td><${StatusBadge} status=${r.status} /></td>`;
                          return html`<td class=${c.num ? 'num' : ''}>${c.show ? c.show(value) : value}</td>`;
                        })}
                        <td>
                          ${r.hasModel ? html`<a href=${`#/predict?run=${encodeURIComponent(r.name)}`}>predict</a>` : ''}
                        </td>
                      </tr>`,
                  )}
                </tbody>
              </table>
            `
    }
  `;
}
