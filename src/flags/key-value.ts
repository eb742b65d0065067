import { VisionlabError } from '../errors.js';
import { optionKey } from '../train/option-key.js';

function scalar(value: string): string | number | boolean {
  // Python's spelling too, as Keras examples write it.
  if (value === 'true' || value === 'True') return true;
  if (value === 'false' || value === 'False') return false;
  if (value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return value;
}

/**
 * Parses `patience=7,restore-best,min-lr=1e-5` into `{patience: 7, restoreBestWeights: true, minLR: 1e-5}`:
 * keys in kebab or camel case, a bare key means `true`, numbers and booleans are converted.
 */
export function parseKeyValueList(flag: string, text: string): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const part of text.split(',')) {
    const item = part.trim();
    if (item === '') continue;
    const eq = item.indexOf('=');
    const rawKey = eq < 0 ? item : item.slice(0, eq).trim();
    if (!/^[A-Za-z][A-Za-z0-9_-]*$/.test(rawKey)) {
      throw new VisionlabError(
        `${flag}: "${item}" is not a key or key=value`,
        `Example: ${flag} patience=7,restore-best`,
      );
    }
    const key = optionKey(rawKey);
    out[key] = eq < 0 ? true : scalar(item.slice(eq + 1).trim());
  }
  return out;
}

/** A comma-separated list of words, e.g. `flip,rotate=0.1,zoom=0.1`; empty items are dropped. */
export function parseList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}
