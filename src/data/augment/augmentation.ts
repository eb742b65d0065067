import * as tf from '@tensorflow/tfjs-core';
import { createRng, deriveSeed } from '../random.js';
import type { Batch, ImageDataset } from '../types.js';
import type { AugmentationLayer } from './layer.js';

/** Which draw this is: the same (seed, epoch, step) always gives the same augmentation. */
export interface AugmentationStep {
  epoch?: number;
  /** Batch index within the epoch. */
  step?: number;
  /** Default true; false gives the inference behaviour (identity, centre crop). */
  training?: boolean;
}

/** A sequence of augmentation layers with a seed, applied to batches of float images (Keras' `Sequential` of preprocessing layers). */
export class Augmentation {
  constructor(
    readonly layers: readonly AugmentationLayer[],
    readonly seed = 0,
  ) {}

  get isEmpty(): boolean {
    return this.layers.length === 0;
  }

  outputShape(input: readonly [number, number, number]): [number, number, number] {
    return this.layers.reduce<[number, number, number]>(
      (shape, layer) => layer.outputShape(shape),
      [...input],
    );
  }

  /** A new tensor (the input is not disposed). */
  apply(images: tf.Tensor4D, at: AugmentationStep = {}): tf.Tensor4D {
    const training = at.training ?? true;
    let current = images;
    this.layers.forEach((layer, index) => {
      const rng = createRng(deriveSeed(this.seed, at.epoch ?? 0, at.step ?? 0, index));
      const next = layer.apply(current, rng, training);
      if (current !== images) current.dispose();
      current = next;
    });
    return current === images ? tf.clone(images) : current;
  }

  /** The batch with augmented images; its old `x` is disposed. */
  applyToBatch(batch: Batch, at: AugmentationStep = {}): Batch {
    const x = this.apply(batch.x, at);
    batch.x.dispose();
    return { ...batch, x };
  }

  /** "RandomFlip(mode=horizontal) → RandomRotation(factor=0.1, …)", for logs. */
  describe(): string {
    if (this.isEmpty) return 'none';
    return this.layers
      .map((layer) => {
        const config = Object.entries(layer.getConfig())
          .filter(([, v]) => v !== undefined)
          .map(([k, v]) => `${k}=${Array.isArray(v) ? `[${v.join(', ')}]` : String(v)}`);
        return `${layer.name}(${config.join(', ')})`;
      })
      .join(' → ');
  }

  toJSON(): { seed: number; layers: Array<{ className: string; config: Record<string, unknown> }> } {
    return {
      seed: this.seed,
      layers: this.layers.map((l) => ({ className: l.name, config: l.getConfig() })),
    };
  }
}

/**
 * The dataset with `augmentation` applied to every batch. In training mode (the default) batch `b`
 * of epoch `e` gets the draw (seed, e, b), so a run is reproducible; wrap the training set this way.
 * With `training: false` the inference behaviour is applied (only `RandomCrop` acts: a centre crop),
 * which keeps validation and test images the shape the model expects.
 */
export function augmentDataset(
  dataset: ImageDataset,
  augmentation: Augmentation,
  options: { training?: boolean } = {},
): ImageDataset {
  const training = options.training ?? true;
  const imageShape = augmentation.outputShape(dataset.imageShape);
  const changesShape = imageShape.some((d, i) => d !== dataset.imageShape[i]);
  if (augmentation.isEmpty || (!training && !changesShape)) return dataset;
  return {
    classNames: dataset.classNames,
    imageShape,
    length: dataset.length,
    batchSize: dataset.batchSize,
    labelMode: dataset.labelMode,
    labels: dataset.labels,
    sources: dataset.sources,
    get skipped() {
      return dataset.skipped;
    },
    numBatches: () => dataset.numBatches(),
    async *batches(epoch = 0) {
      let step = 0;
      for await (const batch of dataset.batches(epoch)) {
        yield augmentation.applyToBatch(batch, { epoch, step, training });
        step++;
      }
    },
  };
}
