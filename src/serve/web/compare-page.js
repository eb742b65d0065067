import { useEffect, useState } from 'preact/hooks';
import { fetchJson } from './api.js';
import { html } from './html.js';
import { VegaChart } from './vega-chart.js';

function formatCell(value, digits) {
  if (value === null || value === undefined) return '–';
  if (typeof value !== 'number') return value;
  if (Number.isInteger(value)) return value.toLocaleString('en');
  return value.toFixed(digits ?? 4);
}

/** Indices of the best values of a row (ties included); none when the row has no direction or all are equal. */
function bestOf(values, better) {
  const numbers = values.filter((v) => typeof v === 'number');
  if (!better || numbers.length < 2) return new Set();
  const best = better === 'min' ? Math.min(...numbers) : Math.max(...numbers);
  if (numbers.every((v) => v === best)) return new Set();
  return new Set(values.flatMap((v, i) => (v === best ? [i] : [])));
}

/** Two or more runs: the comparison report's overlaid curves and side-by-side table. */
export function ComparePage({ names }) {
  const [comparison, setComparison] = useState(null);
  const [error, setError] = useState(null);
  const key = names.join(',');

  useEffect(() => {
    const query = names.map((n) => `run=${encodeURIComponent(n)}`).join('&');
    fetchJson(`/api/compare?${query}`)
      .then(setComparison)
      .catch((err) => setError(err.message));
  }, [key]);

  if (names.length < 1)
    return html`<p class="error">Pick two or more runs on the runs list to compare them.</p>`;
  if (error) return html`<p class="error">${error}</p>`;
  if (!comparison) return html`<p class="muted">Loading…</p>`;
  // One name is a search, which stands for its trials; one plain run has nothing to compare with.
  if (comparison.runs.length < 2)
    return html`<p class="error">Pick two or more runs on the runs list to compare them.</p>`;
  return html`
    <h1>Compare ${comparison.runs.length} runs</h1>
    ${
      comparison.spec
        ? html`<${VegaChart} id="compare-chart" spec=${comparison.spec} />`
        : html`<p class="muted">No run has finished an epoch yet.</p>`
    }
    <h2>Side by side</h2>
    <table id="compare-table">
      <thead>
        <tr>
          <th></th>
          ${comparison.runs.map((name) => html`<th><a href=${`#/run/${encodeURIComponent(name)}`}>${name}</a></th>`)}
        </tr>
      </thead>
      <tbody>
        ${comparison.rows.map((row) => {
          const best = bestOf(row.values, row.better);
          return html`<tr>
            <td>${row.label}</td>
            ${row.values.map(
              (v, i) =>
                html`<td class=${`num${best.has(i) ? ' best' : ''}`}>${formatCell(v, row.digits)}</td>`,
            )}
          </tr>`;
        })}
      </tbody>
    </table>
    <p class="muted">Highlighted: the best value of each row.</p>
  `;
}
