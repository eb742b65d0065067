// Writes the bundled demo set: the first 1000 "Sneaker" and 1000 "Ankle boot" images of Fashion-MNIST's
// training split (Debian's dataset-fashion-mnist, MIT license, Zalando SE) as 28×28 grayscale PNGs.
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import sharp from 'sharp';

const SOURCE = '/usr/share/datasets/fashion-mnist';
const CLASSES: Record<number, string> = { 7: 'sneaker', 9: 'ankle_boot' };
const PER_CLASS = Number(process.env.PER_CLASS ?? 1000);
const outDir = path.resolve(process.argv[2] ?? 'examples/data');

const images = gunzipSync(readFileSync(path.join(SOURCE, 'train-images-idx3-ubyte.gz')));
const labels = gunzipSync(readFileSync(path.join(SOURCE, 'train-labels-idx1-ubyte.gz')));
const count = images.readUInt32BE(4);
const [rows, cols] = [images.readUInt32BE(8), images.readUInt32BE(12)];
const written: Record<string, number> = {};

for (let i = 0; i < count; i++) {
  const name = CLASSES[labels[8 + i]];
  if (!name || (written[name] ?? 0) >= PER_CLASS) continue;
  const pixels = images.subarray(16 + i * rows * cols, 16 + (i + 1) * rows * cols);
  const dir = path.join(outDir, name);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${String(i).padStart(5, '0')}.png`);
  await sharp(pixels, { raw: { width: cols, height: rows, channels: 1 } })
    .png({ compressionLevel: 9 })
    .toFile(file);
  written[name] = (written[name] ?? 0) + 1;
}
console.log(`wrote ${JSON.stringify(written)} to ${outDir}`);
