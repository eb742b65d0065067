import type { BenchOptions } from './sections.js';

/** Each size of `sizes`, given as [quick, full], for this run: `sized(options, { batch: [4, 16] }).batch`. */
export function sized<K extends string>(
  options: BenchOptions,
  sizes: Record<K, [number, number]>,
): Record<K, number> {
  const picked = {} as Record<K, number>;
  for (const key in sizes) picked[key] = sizes[key][options.quick ? 0 : 1];
  return picked;
}
