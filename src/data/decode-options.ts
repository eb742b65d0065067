import type { ColorMode } from './types.js';

/** Resampling used when resizing, with the names Keras uses. */
export type Interpolation = 'bilinear' | 'nearest' | 'bicubic' | 'area' | 'lanczos3';
export const INTERPOLATIONS: readonly Interpolation[] = [
  'bilinear',
  'nearest',
  'bicubic',
  'area',
  'lanczos3',
];

/** sharp's default input limit (0x3FFF × 0x3FFF pixels): larger images are treated as decompression bombs. */
export const DEFAULT_MAX_PIXELS = 268402689;

/** Everything that decides the decoded pixels of one file (and so keys the cache). */
export interface DecodeSpec {
  height: number;
  width: number;
  colorMode: ColorMode;
  interpolation: Interpolation;
  cropToAspectRatio: boolean;
  /** Images with more pixels than this are refused. */
  maxPixels: number;
}

export function channelsOf(colorMode: ColorMode): number {
  return colorMode === 'grayscale' ? 1 : colorMode === 'rgba' ? 4 : 3;
}
