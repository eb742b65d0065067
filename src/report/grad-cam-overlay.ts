import sharp, { type OverlayOptions as SharpOverlay } from 'sharp';
import type { GradCamResult } from '../evaluate/grad-cam.js';
import { CHART_FONT } from './chart.js';
import { jet } from './colormap.js';

export interface OverlayOptions {
  /** Heatmap opacity. Default 0.45. */
  alpha?: number;
  /** Shorter side of each panel in pixels (small inputs are enlarged). Default 320. */
  minSide?: number;
  caption?: string;
}

function escapeXml(text: string): string {
  return text.replace(
    /[<>&'"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!,
  );
}

/** RGB copy of HWC uint8 pixels with 1, 3 or 4 channels. */
function toRgb(pixels: Uint8Array, count: number, channels: number): Uint8Array {
  if (channels === 3) return pixels;
  const out = new Uint8Array(count * 3);
  for (let i = 0; i < count; i++) {
    for (let c = 0; c < 3; c++) out[i * 3 + c] = pixels[i * channels + (channels === 1 ? 0 : c)];
  }
  return out;
}

/**
 * The image as the model saw it beside the same image under the Grad-CAM heatmap (jet colormap,
 * bilinearly enlarged to the image), with an optional caption: a PNG.
 */
export async function gradCamOverlay(
  pixels: Uint8Array,
  shape: readonly [number, number, number],
  cam: GradCamResult,
  options: OverlayOptions = {},
): Promise<Buffer> {
  const [h, w, channels] = shape;
  const alpha = options.alpha ?? 0.45;
  const scale = Math.max(
    1,
    Math.min(Math.ceil((options.minSide ?? 320) / Math.min(h, w)), Math.floor(1024 / Math.max(h, w)) || 1),
  );
  const height = h * scale;
  const width = w * scale;
  const rgb = toRgb(pixels, h * w, channels);
  const image = await sharp(rgb, { raw: { width: w, height: h, channels: 3 } })
    .resize(width, height, { kernel: scale > 1 ? 'nearest' : 'lanczos3' })
    .raw()
    .toBuffer();
  const heat8 = Uint8Array.from(cam.heatmap, (v) => Math.round(255 * Math.min(1, Math.max(0, v))));
  const heat = await sharp(heat8, { raw: { width: cam.width, height: cam.height, channels: 1 } })
    .resize(width, height, { kernel: 'linear', fit: 'fill' })
    .extractChannel(0)
    .raw()
    .toBuffer();
  const blended = Buffer.alloc(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    const color = jet(heat[i] / 255);
    for (let c = 0; c < 3; c++)
      blended[i * 3 + c] = Math.round((1 - alpha) * image[i * 3 + c] + alpha * color[c]);
  }
  const gap = 12;
  const header = options.caption ? 30 : 0;
  const canvasWidth = 2 * width + 3 * gap;
  const canvasHeight = height + header + 2 * gap;
  const composites: SharpOverlay[] = [
    { input: image, raw: { width, height, channels: 3 }, left: gap, top: header + gap },
    { input: blended, raw: { width, height, channels: 3 }, left: 2 * gap + width, top: header + gap },
  ];
  if (options.caption) {
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${canvasWidth}" height="${header + gap}"><text x="${gap}" y="${gap + 14}" font-family="${CHART_FONT}" font-size="14" fill="#222">${escapeXml(options.caption)}</text></svg>`;
    composites.push({ input: Buffer.from(svg), left: 0, top: 0 });
  }
  return sharp({ create: { width: canvasWidth, height: canvasHeight, channels: 3, background: '#ffffff' } })
    .composite(composites)
    .removeAlpha()
    .png()
    .toBuffer();
}
