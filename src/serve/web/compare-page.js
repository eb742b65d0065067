import { useEffect, useState } from 'preact/hooks';
import { fetchJson, formatDuration, formatNumber, formatPercent, runUrl } from './api.js';
import { html } from './html.js';
import { StatusBadge } from './status-badge.js';
import { VegaChart } from './vega-chart.js';

const ROWS = [
  ['status', (r) => html`<${StatusBadge} status=${r.status} />`],
  ['model', (r) => r.model ?? '–'],
  ['epochs', (r) => r.epochsCompleted],
  ['restored epoch', (r) => r.restoredEpoch ?? '–'],
  ['best val loss', (r) => formatNumber(r.bestValLoss)],
  ['best val accuracy', (r) => formatPercent(r.bestValAccuracy)],
  ['test accuracy', (r) => formatPercent(r.testAccuracy)],
  ['training time', (r) => formatDuration(r.durationSeconds)],
];

/** Two or more runs: overlaid curves and their key numbers side by side. */
export function ComparePage({ names }) {
  const [runs, setRuns] = useState(null);
  const [spec, setSpec] = useState(null);
  const [error, setError] = useState(null);
  const key = names.join(',');

  useEffect(() => {
    const query = names.map((n) => `run=${encodeURIComponent(n)}`).join('&');
    Promise.all([
      Promise.all(names.map((n) => fetchJson(runUrl(n)))),
      fetchJson(`/api/compare/curves-spec?${query}`),
    ])
      .then(([details, chart]) => {
        setRuns(details);
        setSpec(chart);
      })
      .catch((err) => setError(err.message));
  }, [key]);

  if (names.length < 2)
    return html`<p class="error">Pick two or more runs on the runs list to compare them.</p>`;
  if (error) return html`<p class="error">${error}</p>`;
  if (!runs) return html`<p class="muted">Loading…</p>`;
  const metricKeys = [
    ...new Set(
      runs.flatMap((r) =>
        Object.entries(r.metrics ?? {})
          .filter(([k, v]) => typeof v === 'number' && k !== 'accuracy')
          .map(([k]) => k),
      ),
    ),
  ];
  return html`
    <h1>Compare ${runs.length} runs</h1>
    <${VegaChart} id="compare-chart" spec=${spec} />
    <h2>Side by side</h2>
    <table id="compare-table">
      <thead>
        <tr>
          <th></th>
          ${runs.map((r) => html`<th><a href=${`#/run/${encodeURIComponent(r.name)}`}>${r.name}</a></th>`)}
        </tr>
      </thead>
      <tbody>
        ${ROWS.map(
          ([label, cell]) =>
            html`<tr>
              <td>${label}</td>
              ${runs.map((r) => html`<td class="num">${cell(r)}</td>`)}
            </tr>`,
        )}
        ${metricKeys.map(
          (k) =>
            html`<tr>
              <td>test ${k}</td>
              ${runs.map((r) => html`<td class="num">${formatNumber(r.metrics?.[k])}</td>`)}
            </tr>`,
        )}
      </tbody>
    </table>
  `;
}
