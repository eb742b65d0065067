import { VisionlabError } from '../../errors.js';
import { loadAddon } from '../native/addon.js';
import { sizeOf } from '../native/kernel-utils.js';

/**
 * The state of the `seedrandom.alea` generator that `tf.randomUniform(shape, 0, 1, 'float32', seed)`
 * seeds (one draw of `Math.random` when unseeded), as [s0, s1, s2, c], followed by the dropout rate:
 * the native plan draws the mask from it element by element exactly as tf.dropout does.
 */
export function dropoutState(options: { rate: number; seed?: number }): Float64Array {
  const seed = String(options.seed ?? Math.random());
  const mash = aleaMash();
  const blank = [mash(' '), mash(' '), mash(' ')];
  const s = blank.map((v) => {
    const d = v - mash(seed);
    return d < 0 ? d + 1 : d;
  });
  return Float64Array.of(s[0], s[1], s[2], 1, options.rate);
}

/** Baagøe's Mash, as seedrandom's alea seeds with it (double arithmetic, kept operation for operation). */
function aleaMash(): (data: string) => number {
  let n = 0xefc8249d;
  return (data: string) => {
    for (let i = 0; i < data.length; i++) {
      n += data.charCodeAt(i);
      let h = 0.02519603282416938 * n;
      n = h >>> 0;
      h -= n;
      h *= n;
      n = h >>> 0;
      h -= n;
      n += h * 0x100000000;
    }
    return (n >>> 0) * 2.3283064365386963e-10;
  };
}

/**
 * The multiplier `tf.dropout(x, rate, undefined, seed)` applies to an `x` of `shape`: 0 or 1/(1-rate),
 * drawn natively from the same random state (see dropoutState), bit for bit the eager layer's mask.
 */
export function dropoutMultiplier(shape: number[], options: { rate: number; seed?: number }): Float32Array {
  const { addon, error } = loadAddon();
  if (!addon)
    throw new VisionlabError(
      `dropout mask: ${error ?? 'the native addon is unavailable'}`,
      'Build it with `npx node-gyp rebuild --directory native`.',
    );
  const mask = new Float32Array(sizeOf(shape));
  addon.dropoutMask(dropoutState(options), mask);
  return mask;
}
