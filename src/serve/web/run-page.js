/* global EventSource */
import { useEffect, useState } from 'preact/hooks';
import { fetchJson, formatDuration, formatNumber, formatPercent, runUrl } from './api.js';
import { html } from './html.js';
import { StatusBadge } from './status-badge.js';
import { VegaChart } from './vega-chart.js';

const IMAGE_ARTIFACTS = [
  ['confusion', 'Confusion matrix'],
  ['misclassified', 'Misclassified test images'],
  ['roc', 'ROC'],
  ['pr', 'Precision–recall'],
];

function pickImage(files, base) {
  if (files.includes(`${base}.svg`)) return `${base}.svg`;
  if (files.includes(`${base}.png`)) return `${base}.png`;
  return null;
}

function numericEntries(metrics) {
  if (!metrics) return [];
  return Object.entries(metrics).filter(([, v]) => typeof v === 'number' && Number.isFinite(v));
}

/** Subscribes to the run's server-sent events: history rows arrive as training finishes each epoch. */
function useLiveRun(name) {
  const [live, setLive] = useState({ history: [], state: null, connected: false });
  useEffect(() => {
    const source = new EventSource(`${runUrl(name)}/events`);
    source.addEventListener('snapshot', (e) => {
      const data = JSON.parse(e.data);
      setLive({ history: data.history, state: data.state, connected: true });
    });
    source.addEventListener('history', (e) => {
      const { rows } = JSON.parse(e.data);
      setLive((prev) => ({ ...prev, history: [...prev.history, ...rows] }));
    });
    source.addEventListener('reset', (e) => {
      const { history } = JSON.parse(e.data);
      setLive((prev) => ({ ...prev, history }));
    });
    source.addEventListener('status', (e) => {
      const { state } = JSON.parse(e.data);
      setLive((prev) => ({ ...prev, state }));
    });
    source.onerror = () => setLive((prev) => ({ ...prev, connected: false }));
    return () => source.close();
  }, [name]);
  return live;
}

export function RunPage({ name }) {
  const [detail, setDetail] = useState(null);
  const [error, setError] = useState(null);
  const [spec, setSpec] = useState(null);
  const live = useLiveRun(name);
  const status = live.state?.status ?? detail?.status;

  // The run's files (report, confusion matrix…) appear as training and evaluation write them.
  useEffect(() => {
    fetchJson(runUrl(name))
      .then(setDetail)
      .catch((err) => setError(err.message));
  }, [name, live.history.length, status]);

  useEffect(() => {
    fetchJson(`${runUrl(name)}/curves-spec`)
      .then(setSpec)
      .catch((err) => setError(err.message));
  }, [name, live.history.length, live.history[live.history.length - 1]?.loss]);

  if (error && !detail) return html`<p class="error">${error}</p>`;
  if (!detail) return html`<p class="muted">Loading…</p>`;
  const files = detail.files ?? [];
  const last = live.history[live.history.length - 1];
  const cards = [
    ['model', detail.model ?? '–'],
    ['epochs', String(live.history.length)],
    ['loss', formatNumber(last?.loss)],
    ['val loss', formatNumber(last?.val_loss)],
    ['accuracy', formatPercent(last?.accuracy)],
    ['val accuracy', formatPercent(last?.val_accuracy)],
    ['test accuracy', formatPercent(detail.testAccuracy)],
    ['time', formatDuration(detail.durationSeconds)],
  ];
  const fileUrl = (f) => `${runUrl(name)}/files/${encodeURIComponent(f)}`;
  return html`
    <h1>${name} <${StatusBadge} status=${status ?? 'unknown'} /></h1>
    <div class="cards">
      ${cards.map(
        ([label, value]) =>
          html`<div class="card">
            <div class="label">${label}</div>
            <div class="value">${value}</div>
          </div>`,
      )}
    </div>
    ${live.state?.message && html`<p class="muted">${live.state.message}</p>`}
    <h2>Curves ${status === 'running' && html`<span class="muted">(live)</span>`}</h2>
    <${VegaChart} id="curves" spec=${spec} />
    <p class="muted" id="epoch-count" data-epochs=${live.history.length}>${live.history.length} epochs</p>
    ${
      IMAGE_ARTIFACTS.some(([base]) => pickImage(files, base)) &&
      html`<h2>Evaluation</h2>
        <div class="images">
          ${IMAGE_ARTIFACTS.map(([base, title]) => {
            const file = pickImage(files, base);
            return (
              file &&
              html`<figure>
                <figcaption>${title}</figcaption>
                <img id=${`img-${base}`} src=${fileUrl(file)} alt=${title} />
              </figure>`
            );
          })}
        </div>`
    }
    ${
      numericEntries(detail.metrics).length > 0 &&
      html`<h2>Test metrics</h2>
        <table>
          ${numericEntries(detail.metrics).map(
            ([k, v]) =>
              html`<tr>
                <td>${k}</td>
                <td class="num">${Number.isInteger(v) ? v : formatNumber(v)}</td>
              </tr>`,
          )}
        </table>`
    }
    ${
      files.includes('report.html') &&
      html`<h2>Report <a href=${fileUrl('report.html')} target="_blank" rel="noopener">open</a></h2>
        <iframe
          class="report"
          title="report"
          sandbox="allow-same-origin"
          src=${fileUrl('report.html')}
        ></iframe>`
    }
    <h2>Epochs</h2>
    <table id="history-table">
      <thead>
        <tr>
          ${['epoch', 'loss', 'accuracy', 'val_loss', 'val_accuracy', 'lr'].map((k) => html`<th class="num">${k}</th>`)}
        </tr>
      </thead>
      <tbody>
        ${live.history.map(
          (row) =>
            html`<tr>
              ${['epoch', 'loss', 'accuracy', 'val_loss', 'val_accuracy', 'lr'].map(
                (k) =>
                  html`<td class="num">
                    ${k === 'epoch' ? row.epoch : k === 'lr' ? (Number.isFinite(row.lr) ? row.lr.toExponential(2) : '–') : formatNumber(row[k])}
                  </td>`,
              )}
            </tr>`,
        )}
      </tbody>
    </table>
    ${detail.hasModel && html`<p><a class="button" href=${`#/predict?run=${encodeURIComponent(name)}`}>Try the model on an image</a></p>`}
    <details>
      <summary>config</summary>
      <pre class="config">${JSON.stringify(detail.config, null, 2)}</pre>
    </details>
  `;
}
