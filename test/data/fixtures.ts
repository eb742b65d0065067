import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';

export function tempDir(prefix = 'visionlab-data-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A solid-colour image; `value` is one grey level or an [r, g, b] triple. */
export async function writeImage(
  file: string,
  options: {
    width?: number;
    height?: number;
    value?: number | [number, number, number];
    format?: 'png' | 'jpeg';
  } = {},
): Promise<void> {
  const { width = 8, height = 6, value = 128, format = 'png' } = options;
  const [r, g, b] = typeof value === 'number' ? [value, value, value] : value;
  mkdirSync(path.dirname(file), { recursive: true });
  const image = sharp({ create: { width, height, channels: 3, background: { r, g, b } } });
  await (format === 'png' ? image.png() : image.jpeg({ quality: 95 })).toFile(file);
}

/** Raw uint8 pixels as an image file (channels 1, 3 or 4). */
export async function writeRaw(
  file: string,
  pixels: Uint8Array,
  width: number,
  height: number,
  channels: 1 | 3 | 4,
): Promise<void> {
  mkdirSync(path.dirname(file), { recursive: true });
  await sharp(Buffer.from(pixels), { raw: { width, height, channels } }).png().toFile(file);
}

/** `counts[c]` images of class `c` named `<class>/<i>.png`, each filled with grey level 10·c + i. */
export async function writeClassTree(dir: string, classes: Record<string, number>, size = 8): Promise<void> {
  let c = 0;
  for (const [name, count] of Object.entries(classes)) {
    for (let i = 0; i < count; i++) {
      await writeImage(path.join(dir, name, `${String(i).padStart(3, '0')}.png`), {
        width: size,
        height: size,
        value: 10 * c + i,
      });
    }
    c++;
  }
}
