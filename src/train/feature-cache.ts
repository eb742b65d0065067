import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { Batch, ImageDataset } from '../data/types.js';

/**
 * A dataset of the frozen prefix's outputs: the first time an example comes by, the prefix runs on its
 * image; afterwards its features come from memory. Batches keep the source's order, labels and indices.
 */
export class FrozenFeatureDataset implements ImageDataset {
  readonly classNames: readonly string[];
  readonly imageShape: readonly [number, number, number];
  readonly length: number;
  readonly batchSize: number;
  readonly labelMode: ImageDataset['labelMode'];
  readonly labels: Int32Array;
  readonly sources: readonly string[];
  private readonly features: Array<Float32Array | undefined>;
  private readonly featureShape: number[];
  /** Examples whose prefix output was computed (each once). */
  computed = 0;

  constructor(
    private readonly source: ImageDataset,
    private readonly prefix: LayersModel,
  ) {
    this.classNames = source.classNames;
    this.imageShape = source.imageShape;
    this.length = source.length;
    this.batchSize = source.batchSize;
    this.labelMode = source.labelMode;
    this.labels = source.labels;
    this.sources = source.sources;
    this.features = new Array(source.length);
    this.featureShape = prefix.outputs[0].shape.slice(1) as number[];
  }

  get skipped() {
    return this.source.skipped;
  }

  numBatches(): number {
    return this.source.numBatches();
  }

  private async fill(batch: Batch): Promise<void> {
    if (Array.from(batch.indices).every((i) => this.features[i] !== undefined)) return;
    const out = tf.tidy(() => this.prefix.apply(batch.x, { training: false }) as tf.Tensor);
    const data = (await out.data()) as Float32Array;
    out.dispose();
    const per = data.length / batch.indices.length;
    batch.indices.forEach((index, k) => {
      if (this.features[index] !== undefined) return;
      this.features[index] = data.slice(k * per, (k + 1) * per);
      this.computed++;
    });
  }

  async *batches(epoch = 0): AsyncGenerator<Batch> {
    for await (const batch of this.source.batches(epoch)) {
      await this.fill(batch);
      batch.x.dispose();
      const per = this.featureShape.reduce((a, b) => a * b, 1);
      const data = new Float32Array(batch.indices.length * per);
      batch.indices.forEach((index, k) => data.set(this.features[index]!, k * per));
      // Features after pooling are [n, c]; the Batch type names the usual case.
      const x = tf.tensor(data, [batch.indices.length, ...this.featureShape]) as unknown as tf.Tensor4D;
      yield { x, y: batch.y, indices: batch.indices };
    }
  }
}
