import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { Batch, ImageDataset } from '../../src/data/types.js';

/** Deterministic pseudo-random numbers for fixtures (independent of Math.random). */
export function fixtureRng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/**
 * An in-memory two-class (or k-class) image set: class c has a bright square at a class-specific
 * place plus noise, so a tiny CNN separates the classes in a few epochs.
 */
export function syntheticImages(options: {
  perClass: number;
  size?: number;
  classes?: number;
  seed?: number;
}) {
  const { perClass, size = 8, classes = 2, seed = 1 } = options;
  const rng = fixtureRng(seed);
  const n = perClass * classes;
  const pixels = new Float32Array(n * size * size);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % classes;
    labels[i] = c;
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const inSquare = c === 0 ? y < size / 2 : c === 1 ? y >= size / 2 : x < size / 2;
        pixels[i * size * size + y * size + x] = Math.round((inSquare ? 180 : 40) + rng() * 60);
      }
    }
  }
  return { pixels, labels, size, classes, n };
}

/** An ImageDataset over arrays: batches in a seeded order per epoch (or in order), like the data module's. */
export class ArrayDataset implements ImageDataset {
  readonly classNames: readonly string[];
  readonly imageShape: readonly [number, number, number];
  readonly length: number;
  readonly labelMode = 'int' as const;
  readonly sources: readonly string[];

  constructor(
    private readonly pixels: Float32Array,
    readonly labels: Int32Array,
    size: number,
    classes: number,
    readonly batchSize: number,
    private readonly shuffleSeed?: number,
  ) {
    this.classNames = Array.from({ length: classes }, (_, i) => `class${i}`);
    this.imageShape = [size, size, 1];
    this.length = labels.length;
    this.sources = Array.from({ length: this.length }, (_, i) => `mem#${i}`);
  }

  numBatches(): number {
    return Math.ceil(this.length / this.batchSize);
  }

  private order(epoch: number): Int32Array {
    const order = Int32Array.from({ length: this.length }, (_, i) => i);
    if (this.shuffleSeed === undefined) return order;
    const rng = fixtureRng(this.shuffleSeed * 7919 + epoch);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    return order;
  }

  async *batches(epoch = 0): AsyncGenerator<Batch> {
    const order = this.order(epoch);
    const [h, w, c] = this.imageShape;
    const per = h * w * c;
    for (let start = 0; start < this.length; start += this.batchSize) {
      const indices = order.slice(start, Math.min(this.length, start + this.batchSize));
      const data = new Float32Array(indices.length * per);
      indices.forEach((idx, k) => data.set(this.pixels.subarray(idx * per, (idx + 1) * per), k * per));
      yield {
        x: tf.tensor4d(data, [indices.length, h, w, c]),
        y: tf.tensor1d(
          Array.from(indices, (i) => this.labels[i]),
          'int32',
        ),
        indices,
      };
    }
  }
}

export function syntheticDataset(options: {
  perClass: number;
  size?: number;
  classes?: number;
  seed?: number;
  batchSize?: number;
  shuffleSeed?: number;
}): ArrayDataset {
  const s = syntheticImages(options);
  return new ArrayDataset(s.pixels, s.labels, s.size, s.classes, options.batchSize ?? 8, options.shuffleSeed);
}

/** A tiny CNN (conv → pool → flatten → dense) for 8×8 grayscale inputs. */
export function tinyCnn(
  options: { size?: number; units?: number; dropout?: number; batchNorm?: boolean } = {},
) {
  const { size = 8, units = 1, dropout, batchNorm } = options;
  const layers: tfl.layers.Layer[] = [
    tfl.layers.rescaling({ scale: 1 / 255, inputShape: [size, size, 1], name: 'rescale' }),
    tfl.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv1' }),
  ];
  if (batchNorm) layers.push(tfl.layers.batchNormalization({ name: 'bn1' }));
  layers.push(
    tfl.layers.maxPooling2d({ poolSize: 2, name: 'pool1' }),
    tfl.layers.flatten({ name: 'flatten' }),
  );
  if (dropout) layers.push(tfl.layers.dropout({ rate: dropout, name: 'drop' }));
  layers.push(tfl.layers.dense({ units, activation: units === 1 ? 'sigmoid' : 'softmax', name: 'out' }));
  return tfl.sequential({ layers, name: 'tiny' });
}

export function weightsOf(model: tfl.LayersModel): Float32Array[] {
  return model.weights.map((w) => Float32Array.from(w.read().dataSync() as Float32Array));
}

export function assertBitEqual(a: Float32Array[], b: Float32Array[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((arr, i) => arr.length === b[i].length && arr.every((v, j) => Object.is(v, b[i][j])));
}

/** The project's backend, except that tests fall back to `cpu` where the chosen one cannot train convolutions. */
export async function initTrainingBackend(): Promise<string> {
  const { initBackend } = await import('../../src/engine/backend.js');
  const info = await initBackend();
  if (info.name === 'wasm' && !tf.getKernel('Conv2DBackpropFilter', 'wasm')) {
    await tf.setBackend('cpu');
    return 'cpu';
  }
  return info.name;
}
