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

/**
 * Images over 40 megapixels are refused from their header (a possible decompression bomb; a 40 MP RGBA image
 * is 160 MB once decoded). Raise `maxPixels` for genuine larger photos.
 */
export const DEFAULT_MAX_PIXELS = 40_000_000;

/** Full-size decoded bytes in flight at once, across a dataset's concurrent decodes. */
export const DEFAULT_DECODE_MEMORY_BYTES = 512 * 1024 * 1024;

/** Bytes a full-size decode of a `width × height` image takes at most (RGBA, 8 bits). */
export function decodeBytes(width: number, height: number): number {
  return width * height * 4;
}

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

/** The colour mode of images with `channels` channels: 1 grayscale, 3 rgb, 4 rgba; undefined for any other count. */
export function colorModeOf(channels: number): ColorMode | undefined {
  return channels === 1 ? 'grayscale' : channels === 3 ? 'rgb' : channels === 4 ? 'rgba' : undefined;
}
