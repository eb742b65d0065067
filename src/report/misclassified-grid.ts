import sharp, { type OverlayOptions } from 'sharp';
import type { Predictions } from '../evaluate/evaluate.js';
import { argmax } from '../evaluate/confusion-matrix.js';
import { CHART_FONT } from './chart.js';

/** One wrongly classified example, for the grid. */
export interface MisclassifiedExample {
  source: string;
  actual: string;
  predicted: string;
  /** Probability of the predicted class. */
  confidence: number;
  /** Probability the model gave the true class. */
  actualProbability: number;
}

export interface GridOptions {
  /** Tile side in pixels. Default 128. */
  tile?: number;
  columns?: number;
  /** Most examples drawn (the most confident mistakes first). Default 36. */
  max?: number;
}

/** The misclassified examples, most confident mistakes first. */
export function misclassifiedExamples(
  predictions: Predictions,
  classNames: readonly string[],
): MisclassifiedExample[] {
  const out: MisclassifiedExample[] = [];
  predictions.probabilities.forEach((p, i) => {
    const predicted = argmax(p);
    const actual = predictions.labels[i];
    if (predicted === actual) return;
    out.push({
      source: predictions.sources[i],
      actual: classNames[actual],
      predicted: classNames[predicted],
      confidence: p[predicted],
      actualProbability: p[actual],
    });
  });
  return out.sort((a, b) => b.confidence - a.confidence);
}

function escapeXml(text: string): string {
  return text.replace(
    /[<>&'"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!,
  );
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

async function tileImage(source: string, tile: number): Promise<Buffer> {
  try {
    return await sharp(source, { pages: 1 })
      .resize(tile, tile, { fit: 'contain', background: '#ffffff' })
      .flatten({ background: '#ffffff' })
      .png()
      .toBuffer();
  } catch {
    return sharp({ create: { width: tile, height: tile, channels: 3, background: '#dddddd' } })
      .png()
      .toBuffer();
  }
}

/** A PNG grid of misclassified images, each captioned with its true class, the prediction and both probabilities. */
export async function misclassifiedGrid(
  examples: readonly MisclassifiedExample[],
  totalExamples: number,
  options: GridOptions = {},
): Promise<Buffer> {
  const tile = options.tile ?? 128;
  const shown = examples.slice(0, options.max ?? 36);
  const columns = Math.max(1, Math.min(options.columns ?? 6, shown.length || 1));
  const rows = Math.max(1, Math.ceil(shown.length / columns));
  const pad = 10;
  const caption = 34;
  const header = 30;
  const width = Math.max(360, columns * (tile + pad) + pad);
  const height = header + rows * (tile + caption + pad) + pad;
  // About 6.5 px per character at 11 px; the label and the probability always show, long names are cut.
  const nameChars = Math.max(4, Math.floor(tile / 6.5) - 11);
  const texts: string[] = [];
  const title =
    examples.length === 0
      ? `No misclassified images among ${totalExamples} test images`
      : `Misclassified: ${examples.length} of ${totalExamples} test images${shown.length < examples.length ? ` (${shown.length} most confident shown)` : ''}`;
  texts.push(`<text x="${pad}" y="20" font-size="14" font-weight="bold">${escapeXml(title)}</text>`);
  const composites: OverlayOptions[] = [];
  const tiles = await Promise.all(shown.map((e) => tileImage(e.source, tile)));
  shown.forEach((e, i) => {
    const left = pad + (i % columns) * (tile + pad);
    const top = header + Math.floor(i / columns) * (tile + caption + pad);
    composites.push({ input: tiles[i], left, top });
    const y1 = top + tile + 13;
    const y2 = top + tile + 27;
    texts.push(
      `<text x="${left}" y="${y1}" font-size="11">${escapeXml(`true: ${clip(e.actual, nameChars)} ${e.actualProbability.toFixed(2)}`)}</text>`,
      `<text x="${left}" y="${y2}" font-size="11" fill="#c0392b">${escapeXml(`pred: ${clip(e.predicted, nameChars)} ${e.confidence.toFixed(2)}`)}</text>`,
    );
  });
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><g font-family="${CHART_FONT}" fill="#222222">${texts.join('')}</g></svg>`;
  composites.push({ input: Buffer.from(svg), left: 0, top: 0 });
  return sharp({ create: { width, height, channels: 3, background: '#ffffff' } })
    .composite(composites)
    .png()
    .toBuffer();
}
