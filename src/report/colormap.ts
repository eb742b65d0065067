/** Matplotlib's "jet" colormap as piecewise-linear RGB (0–255) for a value in [0, 1]. */
export function jet(value: number): [number, number, number] {
  const v = Math.min(1, Math.max(0, value));
  const channel = (offset: number) =>
    Math.round(255 * Math.min(1, Math.max(0, 1.5 - Math.abs(4 * v - offset))));
  return [channel(3), channel(2), channel(1)];
}
