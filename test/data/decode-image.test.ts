import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import sharp, { type Sharp } from 'sharp';
import { decodeImage, probeImage, type DecodeSpec } from '../../src/data/index.js';

const spec = (over: Partial<DecodeSpec> = {}): DecodeSpec => ({
  height: 4,
  width: 4,
  colorMode: 'rgb',
  interpolation: 'bilinear',
  cropToAspectRatio: false,
  maxPixels: 1e8,
  ...over,
});

const solid = (background: { r: number; g: number; b: number; alpha?: number }, channels: 3 | 4 = 3) =>
  sharp({ create: { width: 16, height: 16, channels, background } });

function near(actual: Uint8Array, expected: number[], tolerance: number): void {
  const head = [...actual.slice(0, expected.length)];
  assert.ok(
    head.every((v, i) => Math.abs(v - expected[i]) <= tolerance),
    `expected ≈${JSON.stringify(expected)} (±${tolerance}), got ${JSON.stringify(head)}`,
  );
}

describe('decodeImage', () => {
  it('decodes PNG, JPEG, WebP, GIF, TIFF and AVIF to the same colour', async () => {
    const colour = { r: 200, g: 60, b: 30 };
    const encoders: Record<string, (s: Sharp) => Sharp> = {
      png: (s) => s.png(),
      jpeg: (s) => s.jpeg({ quality: 100 }),
      webp: (s) => s.webp({ lossless: true }),
      gif: (s) => s.gif(),
      tiff: (s) => s.tiff({ compression: 'lzw' }),
      avif: (s) => s.avif({ lossless: true }),
    };
    for (const [format, encode] of Object.entries(encoders)) {
      const bytes = await encode(solid(colour)).toBuffer();
      const pixels = await decodeImage(bytes, spec());
      assert.equal(pixels.length, 4 * 4 * 3, format);
      // GIF is palette-quantised and AVIF/JPEG go through YCbCr, so allow a small tolerance.
      near(pixels, [200, 60, 30], format === 'png' || format === 'tiff' ? 0 : format === 'webp' ? 1 : 8);
    }
  });

  it('uses the first frame of an animated GIF', async () => {
    const red = await solid({ r: 255, g: 0, b: 0 }).png().toBuffer();
    const blue = await solid({ r: 0, g: 0, b: 255 }).png().toBuffer();
    const gif = await sharp([red, blue], { join: { animated: true } })
      .gif()
      .toBuffer();
    assert.equal((await sharp(gif).metadata()).pages, 2);
    near(await decodeImage(gif, spec()), [255, 0, 0], 8);
  });

  it('applies EXIF orientation', async () => {
    // 32×16, left half black, right half white; orientation 6 shows it rotated 90° clockwise (16×32, black on top).
    const raw = Buffer.alloc(32 * 16 * 3);
    for (let y = 0; y < 16; y++)
      for (let x = 16; x < 32; x++) raw.fill(255, (y * 32 + x) * 3, (y * 32 + x) * 3 + 3);
    const jpeg = await sharp(raw, { raw: { width: 32, height: 16, channels: 3 } })
      .jpeg({ quality: 100 })
      .withMetadata({ orientation: 6 })
      .toBuffer();
    assert.deepEqual(await probeImage(jpeg, 1e8), { width: 16, height: 32, format: 'jpeg' });
    const pixels = await decodeImage(jpeg, spec({ height: 4, width: 2, colorMode: 'grayscale' }));
    assert.ok(pixels[0] < 30 && pixels[1] < 30, `top is black: ${[...pixels]}`);
    assert.ok(pixels[6] > 225 && pixels[7] > 225, `bottom is white: ${[...pixels]}`);
  });

  it('converts CMYK, 16-bit, grey and alpha images to the requested colour mode', async () => {
    const cmyk = await solid({ r: 255, g: 0, b: 0 }).toColourspace('cmyk').jpeg({ quality: 100 }).toBuffer();
    assert.equal((await sharp(cmyk).metadata()).space, 'cmyk');
    const fromCmyk = await decodeImage(cmyk, spec());
    assert.ok(fromCmyk[0] > 200 && fromCmyk[1] < 40 && fromCmyk[2] < 40, `red: ${[...fromCmyk.slice(0, 3)]}`);

    const sixteen = await solid({ r: 128, g: 64, b: 32 }).toColourspace('rgb16').png().toBuffer();
    assert.equal((await sharp(sixteen).metadata()).depth, 'ushort');
    near(await decodeImage(sixteen, spec()), [128, 64, 32], 1);

    const grey = await sharp(Buffer.alloc(16, 77), { raw: { width: 4, height: 4, channels: 1 } })
      .png()
      .toBuffer();
    near(await decodeImage(grey, spec()), [77, 77, 77], 0);
    near(await decodeImage(grey, spec({ colorMode: 'rgba' })), [77, 77, 77, 255], 0);

    const translucent = await solid({ r: 10, g: 20, b: 30, alpha: 0.5 }, 4).png().toBuffer();
    // Alpha is dropped before resizing, not composited or blended (as Keras does).
    near(await decodeImage(translucent, spec()), [10, 20, 30], 0);
    near(await decodeImage(translucent, spec({ colorMode: 'rgba' })), [10, 20, 30, 128], 1);
    // BT.601 luma: 0.2989·10 + 0.587·20 + 0.114·30 = 18.2
    near(await decodeImage(translucent, spec({ colorMode: 'grayscale' })), [18], 0);
    // Half transparent black, half opaque white → 1×2: each output pixel covers one half, so no
    // alpha weighting may pull the colours together.
    const halves = Buffer.alloc(4 * 2 * 4);
    for (let x = 2; x < 4; x++)
      for (const y of [0, 1]) halves.fill(255, (y * 4 + x) * 4, (y * 4 + x) * 4 + 4);
    const halvesPng = await sharp(halves, { raw: { width: 4, height: 2, channels: 4 } })
      .png()
      .toBuffer();
    const split = await decodeImage(
      halvesPng,
      spec({ height: 1, width: 2, colorMode: 'grayscale', interpolation: 'area' }),
    );
    assert.deepEqual([...split], [0, 255]);
  });

  it('resizes with each interpolation (nearest keeps hard edges, area averages)', async () => {
    // 4×1 grey ramp 0, 100, 200, 250 → 2×1.
    const ramp = await sharp(Buffer.from([0, 100, 200, 250]), { raw: { width: 4, height: 1, channels: 1 } })
      .png()
      .toBuffer();
    const to2 = (interpolation: DecodeSpec['interpolation']) =>
      decodeImage(ramp, spec({ height: 1, width: 2, colorMode: 'grayscale', interpolation }));
    assert.deepEqual([...(await to2('area'))], [50, 225]);
    const nearest = [...(await to2('nearest'))];
    assert.ok(
      nearest.every((v) => [0, 100, 200, 250].includes(v)),
      `nearest picks source pixels: ${nearest}`,
    );
    for (const interpolation of ['bilinear', 'bicubic', 'lanczos3'] as const) {
      const [left, right] = await to2(interpolation);
      assert.ok(left > 0 && left < 150 && right > 150 && right <= 255, `${interpolation}: ${left}, ${right}`);
    }
  });
});
