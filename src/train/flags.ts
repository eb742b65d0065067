import { VisionlabError } from '../errors.js';

/** Short names accepted in `key=value` flag lists for the longer Keras option names. */
const ALIASES: Record<string, string> = {
  restoreBest: 'restoreBestWeights',
  restore: 'restoreBestWeights',
  minLr: 'minLR',
  lr: 'learningRate',
  warmup: 'warmupEpochs',
  decay: 'decayEpochs',
};

function camel(key: string): string {
  return key.replace(/[-_]([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** An option key as the config uses it: `restore_best_weights`, `restore-best` and `restoreBestWeights` alike. */
export function optionKey(raw: string): string {
  return ALIASES[camel(raw)] ?? camel(raw);
}

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

/** A number flag, or an error naming the flag and the value. */
export function parseNumberFlag(flag: string, text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n))
    throw new VisionlabError(`${flag} "${text}" is not a number`);
  return n;
}

/** `H,W` or `H,W,C` (also `HxW`) as a list of whole numbers. */
export function parseShapeFlag(flag: string, text: string, lengths: number[]): number[] {
  const parts = text.split(/[,x×]/).map((p) => p.trim());
  const dims = parts.map(Number);
  if (!lengths.includes(parts.length) || dims.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new VisionlabError(
      `${flag} "${text}" is not ${lengths.map((l) => (l === 2 ? 'H,W' : 'H,W,C')).join(' or ')} in whole numbers ≥ 1`,
      `Example: ${flag} ${lengths[0] === 2 ? '28,28' : '280,280,3'}`,
    );
  }
  return dims;
}
