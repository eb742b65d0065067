import { VisionlabError } from '../errors.js';

/** `280,280,3`, `280x280x3` or `280 280 3`: whole numbers ≥ 1; an empty part is refused. */
function dimensions(text: string): number[] {
  return text
    .trim()
    .split(/\s*[,x×]\s*|\s+/i)
    .map((part) => (part === '' ? Number.NaN : Number(part)));
}

function valid(dims: number[]): boolean {
  return dims.every((d) => Number.isInteger(d) && d >= 1);
}

/** A model input shape `H,W,C`; `H,W` means 3 channels (RGB), in every command that takes `--input-shape`. */
export function parseInputShape(text: string, flag = '--input-shape'): [number, number, number] {
  const dims = dimensions(text);
  if (dims.length === 2) dims.push(3);
  if (dims.length !== 3 || !valid(dims)) {
    throw new VisionlabError(
      `${flag} "${text}" is not H,W,C (or H,W for 3 channels) in whole numbers ≥ 1`,
      `Example: ${flag} 280,280,3`,
    );
  }
  return [dims[0], dims[1], dims[2]];
}

/** An image size `H,W` (also `HxW`). */
export function parseImageSize(text: string, flag = '--image-size'): [number, number] {
  const dims = dimensions(text);
  if (dims.length !== 2 || !valid(dims)) {
    throw new VisionlabError(`${flag} "${text}" is not H,W in whole numbers ≥ 1`, `Example: ${flag} 28,28`);
  }
  return [dims[0], dims[1]];
}
