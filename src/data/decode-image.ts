import sharp, { type Metadata, type Sharp } from 'sharp';
import { areaResize } from './area-resize.js';
import { channelsOf, type DecodeSpec, type Interpolation } from './decode-options.js';

/** A file that could not be turned into pixels; datasets skip it and report it. */
export class ImageReadError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'ImageReadError';
  }
}

const KERNELS: Record<Exclude<Interpolation, 'area'>, 'nearest' | 'linear' | 'cubic' | 'lanczos3'> = {
  bilinear: 'linear',
  nearest: 'nearest',
  bicubic: 'cubic',
  lanczos3: 'lanczos3',
};

/** BT.601 luma, as PIL's `L` mode and `tf.image.rgb_to_grayscale` compute it. */
function rgbToGray(rgb: Uint8Array): Uint8Array {
  const out = new Uint8Array(rgb.length / 3);
  for (let i = 0, j = 0; i < out.length; i++, j += 3) {
    out[i] = Math.round(0.2989 * rgb[j] + 0.587 * rgb[j + 1] + 0.114 * rgb[j + 2]);
  }
  return out;
}

function centreCropBox(height: number, width: number, targetHeight: number, targetWidth: number) {
  const ratio = targetWidth / targetHeight;
  let cropWidth = width;
  let cropHeight = Math.round(width / ratio);
  if (cropHeight > height) {
    cropHeight = height;
    cropWidth = Math.round(height * ratio);
  }
  return {
    left: Math.floor((width - cropWidth) / 2),
    top: Math.floor((height - cropHeight) / 2),
    width: cropWidth,
    height: cropHeight,
  };
}

/** Raw uint8 input (for IDX files) rather than an encoded image. */
export interface RawInput {
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
}

function openImage(input: Buffer | string, spec: DecodeSpec, raw?: RawInput): Sharp {
  if (typeof input !== 'string' && input.length === 0)
    throw new ImageReadError('the file is empty (0 bytes)');
  // First frame only (GIF/WebP/TIFF pages), EXIF orientation applied, truncated data is an error.
  const image = raw
    ? sharp(input, { raw })
    : sharp(input, { failOn: 'truncated', limitInputPixels: spec.maxPixels, autoOrient: true, pages: 1 });
  return spec.colorMode === 'rgba'
    ? image.toColourspace('srgb').ensureAlpha()
    : image.removeAlpha().toColourspace('srgb');
}

function isJpeg(input: Buffer | string): boolean {
  if (typeof input === 'string') return /\.(jpe?g|jpe)$/i.test(input);
  return input[0] === 0xff && input[1] === 0xd8;
}

/**
 * For rgb / grayscale output of an image with an alpha channel: the full-size pixels with alpha
 * dropped, so that resizing does not blend colours by alpha (sharp resizes premultiplied). Keras
 * drops alpha at decode time too. `undefined` when there is no alpha to drop.
 */
async function withoutAlpha(
  input: Buffer | string,
  spec: DecodeSpec,
): Promise<{ data: Buffer; raw: RawInput } | undefined> {
  if (spec.colorMode === 'rgba' || isJpeg(input)) return undefined;
  if (!(await sharp(input, { limitInputPixels: spec.maxPixels, pages: 1 }).metadata()).hasAlpha)
    return undefined;
  const { data, info } = await openImage(input, spec)
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  return { data, raw: { width: info.width, height: info.height, channels: 3 } };
}

/**
 * Decodes an encoded image (JPEG, PNG, WebP, GIF, TIFF, AVIF…), given as bytes or a file path, into
 * uint8 HWC pixels of `spec.height × spec.width × channels(spec.colorMode)`. Throws `ImageReadError`
 * for anything unreadable.
 */
export async function decodeImage(
  encoded: Buffer | string,
  spec: DecodeSpec,
  rawInput?: RawInput,
): Promise<Uint8Array> {
  try {
    const flattened = rawInput ? undefined : await withoutAlpha(encoded, spec);
    const input = flattened?.data ?? encoded;
    const raw = flattened?.raw ?? rawInput;
    const decodeChannels = spec.colorMode === 'rgba' ? 4 : 3;
    let pixels: Uint8Array;
    if (spec.interpolation === 'area') {
      let image = openImage(input, spec, raw);
      const full = await image.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
      let { width, height } = full.info;
      let data: Uint8Array = full.data;
      if (spec.cropToAspectRatio) {
        const box = centreCropBox(height, width, spec.height, spec.width);
        image = sharp(full.data, { raw: { width, height, channels: decodeChannels } }).extract(box);
        data = await image.raw().toBuffer();
        ({ width, height } = box);
      }
      pixels = areaResize(data, height, width, decodeChannels, spec.height, spec.width);
    } else {
      pixels = await openImage(input, spec, raw)
        .resize(spec.width, spec.height, {
          fit: spec.cropToAspectRatio ? 'cover' : 'fill',
          position: 'centre',
          kernel: KERNELS[spec.interpolation],
        })
        .raw({ depth: 'uchar' })
        .toBuffer();
    }
    const out = spec.colorMode === 'grayscale' ? rgbToGray(pixels) : pixels;
    if (out.length !== spec.height * spec.width * channelsOf(spec.colorMode)) {
      throw new ImageReadError(`decoded to an unexpected size (${out.length} bytes)`);
    }
    return out;
  } catch (err) {
    if (err instanceof ImageReadError) throw err;
    throw new ImageReadError(describeSharpError(err as Error));
  }
}

/** Width, height and format from the header (bytes or a file path), without decoding the pixels. */
export async function probeImage(
  input: Buffer | string,
  maxPixels: number,
): Promise<{ width: number; height: number; format: string }> {
  if (typeof input !== 'string' && input.length === 0)
    throw new ImageReadError('the file is empty (0 bytes)');
  let meta: Metadata;
  try {
    meta = await sharp(input, { limitInputPixels: false, pages: 1 }).metadata();
  } catch (err) {
    throw new ImageReadError(describeSharpError(err as Error));
  }
  if (!meta.width || !meta.height || !meta.format) throw new ImageReadError('not an image sharp can decode');
  if (meta.width * meta.height > maxPixels) {
    throw new ImageReadError(
      `${meta.width}×${meta.height} pixels exceeds the limit of ${maxPixels} pixels (a possible decompression bomb; raise maxPixels if it is genuine)`,
    );
  }
  const swap = (meta.orientation ?? 1) >= 5;
  return {
    width: swap ? meta.height : meta.width,
    height: swap ? meta.width : meta.height,
    format: meta.format,
  };
}

function describeSharpError(err: Error): string {
  const message = err.message.split('\n')[0];
  if (/unsupported image format/i.test(message)) return 'not an image (unsupported or unrecognised format)';
  if (/pixel limit/i.test(message)) return `exceeds the pixel limit (${message})`;
  return message;
}

/** Decodes the whole image at a tiny size, so truncated or corrupt pixel data is found, not only a bad header. */
export async function checkDecodes(input: Buffer | string, maxPixels: number): Promise<void> {
  try {
    await sharp(input, { failOn: 'truncated', limitInputPixels: maxPixels, pages: 1 })
      .resize(8, 8, { fit: 'fill' })
      .raw()
      .toBuffer();
  } catch (err) {
    throw new ImageReadError(describeSharpError(err as Error));
  }
}
