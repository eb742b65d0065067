import type { IncomingMessage } from 'node:http';
import sharp from 'sharp';
import { HttpError } from './http-error.js';

/** Default upload limit: a large photo fits, a stray video does not. */
export const DEFAULT_MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

/** Default pixel limit of an upload (width × height): a 40-megapixel photo decodes, a decompression bomb does not. */
export const DEFAULT_MAX_UPLOAD_PIXELS = 40_000_000;

/** Image formats accepted for upload, told apart by their first bytes (the client's Content-Type is not trusted). */
const SIGNATURES: Array<{ format: string; test: (b: Buffer) => boolean }> = [
  { format: 'jpeg', test: (b) => b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  {
    format: 'png',
    test: (b) =>
      b.length > 8 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  },
  { format: 'gif', test: (b) => b.length > 6 && /^GIF8[79]a$/.test(b.subarray(0, 6).toString('latin1')) },
  {
    format: 'webp',
    test: (b) =>
      b.length > 12 &&
      b.subarray(0, 4).toString('latin1') === 'RIFF' &&
      b.subarray(8, 12).toString('latin1') === 'WEBP',
  },
];

/** The image format named by the file's magic bytes, or null when it is not one we accept. */
export function sniffImageFormat(bytes: Buffer): string | null {
  return SIGNATURES.find((s) => s.test(bytes))?.format ?? null;
}

/** Reads the request body, refusing (413) as soon as it passes `maxBytes`, whatever Content-Length claims. */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    req.resume();
    throw new HttpError(413, `the upload is ${declared} bytes; the limit is ${maxBytes} bytes`);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > maxBytes) {
      req.resume();
      throw new HttpError(413, `the upload is larger than the limit of ${maxBytes} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * Checks that `bytes` is an image: magic bytes first, then sharp must read its header (415 otherwise), and
 * its size must stay within `maxPixels` (413), all before any pixel is decoded.
 */
export async function checkImage(
  bytes: Buffer,
  maxPixels = DEFAULT_MAX_UPLOAD_PIXELS,
): Promise<{ format: string; width: number; height: number }> {
  if (bytes.length === 0)
    throw new HttpError(400, 'the upload is empty: send the image file as the request body');
  const format = sniffImageFormat(bytes);
  if (!format) throw new HttpError(415, 'not an image: upload a JPEG, PNG, GIF or WebP file');
  let size: { width: number; height: number };
  try {
    const meta = await sharp(bytes, { pages: 1, limitInputPixels: false }).metadata();
    if (!meta.width || !meta.height) throw new Error('no size');
    size = { width: meta.width, height: meta.height };
  } catch {
    throw new HttpError(415, `the ${format} file cannot be decoded: upload an intact image`);
  }
  if (size.width * size.height > maxPixels) {
    throw new HttpError(
      413,
      `the image is ${size.width}×${size.height} pixels; the limit is ${maxPixels} pixels: upload a smaller image`,
    );
  }
  return { format, ...size };
}
