import { html } from './html.js';

export function StatusBadge({ status }) {
  return html`<span class=${`badge ${status}`}>${status}</span>`;
}
