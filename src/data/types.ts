import type * as tf from '@tensorflow/tfjs-core';

export type LabelMode = 'int' | 'categorical' | 'binary' | 'none';
export type ColorMode = 'rgb' | 'grayscale' | 'rgba';

/** One batch: images as float32 in [0, 255] (as Keras yields them), labels per `labelMode`. The caller disposes both. */
export interface Batch {
  x: tf.Tensor4D;
  /** int: int32 [n]; binary: float32 [n, 1]; categorical: float32 [n, classes]; none: absent. */
  y?: tf.Tensor;
  /** Indices of the batch's examples within the dataset, in order. */
  indices: Int32Array;
}

/** A file that was passed over (unreadable, not an image, too large…), and why. */
export interface SkippedFile {
  source: string;
  reason: string;
}

/** A labelled image set that yields batches; the contract between data loading and training. */
export interface ImageDataset {
  readonly classNames: readonly string[];
  /** [height, width, channels] of every image. */
  readonly imageShape: readonly [number, number, number];
  /** Number of examples. */
  readonly length: number;
  readonly batchSize: number;
  readonly labelMode: LabelMode;
  /** Class index of each example, in dataset order. */
  readonly labels: Int32Array;
  /** Source of each example (file path, or `file#index` for IDX), in dataset order. */
  readonly sources: readonly string[];
  /** Files passed over so far (while building the dataset and during epochs), when the source has files. */
  readonly skipped?: readonly SkippedFile[];
  /** Batches in one epoch. */
  numBatches(): number;
  /** One epoch of batches; when shuffling, the order is a pure function of (seed, epoch). */
  batches(epoch?: number): AsyncGenerator<Batch>;
}
