import { mkdirSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { syntheticImages } from './helpers.js';

/** Writes the synthetic two-class images as `<dir>/<class>/<i>.png` (grayscale PNGs). */
export async function writeImageFolder(
  dir: string,
  options: { perClass: number; size?: number; classNames?: string[] },
) {
  const classNames = options.classNames ?? ['bottom', 'top'];
  const s = syntheticImages({
    perClass: options.perClass,
    size: options.size ?? 12,
    classes: classNames.length,
  });
  const per = s.size * s.size;
  for (let i = 0; i < s.n; i++) {
    const folder = path.join(dir, classNames[s.labels[i]]);
    mkdirSync(folder, { recursive: true });
    const pixels = Buffer.from(
      Uint8Array.from(s.pixels.subarray(i * per, (i + 1) * per), (v) => Math.min(255, v)),
    );
    await sharp(pixels, { raw: { width: s.size, height: s.size, channels: 1 } })
      .png()
      .toFile(path.join(folder, `${String(i).padStart(3, '0')}.png`));
  }
}
