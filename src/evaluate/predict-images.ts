import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { IMAGE_EXTENSIONS } from '../data/index.js';
import { VisionlabError } from '../errors.js';
import { argmax } from './confusion-matrix.js';
import { decodeRunImage, layersPredictor, pixelBatch, type ClassPredictor } from './inference.js';
import type { RunInputConfig } from './run-config.js';
import { readRegularFile } from '../util/read-regular-file.js';

/** One image's result: probabilities per class, or why it could not be read. */
export interface ImagePrediction {
  source: string;
  /** Most probable class (absent on error). */
  predicted?: string;
  confidence?: number;
  /** Probability per class name, in class order. */
  probabilities?: Record<string, number>;
  error?: string;
}

async function walk(dir: string, out: string[]): Promise<void> {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) await walk(full, out);
    else if (IMAGE_EXTENSIONS.includes(path.extname(entry.name).toLowerCase())) out.push(full);
  }
}

/** Expands folders (recursively, image extensions only, sorted) and keeps files as given, even unreadable ones. */
export async function expandImagePaths(inputs: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const input of inputs) {
    const stat = await fs.stat(input).catch(() => undefined);
    if (stat?.isDirectory()) {
      const found: string[] = [];
      await walk(input, found);
      if (found.length === 0) {
        throw new VisionlabError(
          `No image files in folder ${input}.`,
          `Images need one of the extensions ${IMAGE_EXTENSIONS.join(' ')}.`,
        );
      }
      out.push(...found);
    } else {
      out.push(input);
    }
  }
  return out;
}

async function readPixels(file: string, input: RunInputConfig): Promise<Uint8Array> {
  let bytes: Buffer;
  try {
    bytes = await readRegularFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(
      code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a folder' : (err as Error).message,
    );
  }
  return decodeRunImage(bytes, input);
}

/**
 * Class probabilities for each image, decoded and preprocessed as the run's config says. An image
 * that cannot be read gets a row with `error` instead of stopping the others. `model` is a TF.js
 * model or any {@link ClassPredictor} (e.g. an ONNX file run by onnxruntime).
 */
export async function predictImages(
  model: LayersModel | ClassPredictor,
  files: readonly string[],
  input: RunInputConfig,
  options: { batchSize?: number; threshold?: number } = {},
): Promise<ImagePrediction[]> {
  const predictor = 'probabilities' in model ? model : layersPredictor(model, input);
  const { threshold } = options;
  if (threshold !== undefined && (input.classNames.length !== 2 || !(threshold >= 0 && threshold <= 1))) {
    throw new VisionlabError(
      input.classNames.length !== 2
        ? `a decision threshold applies to two classes; this run has ${input.classNames.length}`
        : `the threshold ${threshold} is not a probability between 0 and 1`,
    );
  }
  const batchSize = options.batchSize ?? 32;
  const rows: ImagePrediction[] = files.map((source) => ({ source }));
  for (let start = 0; start < files.length; start += batchSize) {
    const slice = files.slice(start, start + batchSize);
    const decoded = await Promise.all(
      slice.map((file, i) =>
        readPixels(file, input).catch((err: Error) => {
          rows[start + i].error = err.message;
          return undefined;
        }),
      ),
    );
    const ok = decoded.flatMap((pixels, i) => (pixels ? [i] : []));
    if (ok.length === 0) continue;
    const batch = pixelBatch(
      ok.map((i) => decoded[i]!),
      input,
    );
    const probs = await predictor.probabilities(batch).finally(() => batch.dispose());
    const values = (await probs.array()) as number[][];
    probs.dispose();
    ok.forEach((i, row) => {
      const p = values[row];
      // With a threshold: the positive class (index 1) when its probability reaches it.
      const best = threshold === undefined ? argmax(p) : p[1] >= threshold ? 1 : 0;
      rows[start + i].predicted = input.classNames[best];
      rows[start + i].confidence = p[best];
      rows[start + i].probabilities = Object.fromEntries(input.classNames.map((name, c) => [name, p[c]]));
    });
  }
  return rows;
}
