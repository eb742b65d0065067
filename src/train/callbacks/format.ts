import type { Logs } from './callback.js';

/** Keras' progress-bar number format: 4 decimals, scientific below 1e-3. */
export function formatValue(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  return abs !== 0 && abs < 1e-3 ? value.toExponential(4) : value.toFixed(4);
}

/** ` - loss: 0.1234 - accuracy: 0.9500`… in the order the logs hold them. */
export function formatLogs(logs: Logs, skip: readonly string[] = []): string {
  return Object.entries(logs)
    .filter(([k]) => !skip.includes(k))
    .map(([k, v]) => ` - ${k}: ${formatValue(v)}`)
    .join('');
}

export function formatDuration(seconds: number): string {
  if (seconds >= 3600)
    return `${Math.floor(seconds / 3600)}:${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}:${String(Math.floor(seconds % 60)).padStart(2, '0')}`;
  if (seconds >= 60)
    return `${Math.floor(seconds / 60)}:${String(Math.floor(seconds % 60)).padStart(2, '0')}`;
  return `${Math.round(seconds)}s`;
}

export function formatStepTime(secondsPerStep: number): string {
  if (secondsPerStep >= 1) return `${secondsPerStep.toFixed(0)}s/step`;
  if (secondsPerStep >= 1e-3) return `${Math.round(secondsPerStep * 1e3)}ms/step`;
  return `${Math.round(secondsPerStep * 1e6)}us/step`;
}
