import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { Batch, ImageDataset } from '../data/types.js';
import { innerPrefix, innerPrefixCuts, type FrozenPrefixSplit } from '../freeze/frozen-prefix.js';
import { prefixFeatureKeys, type PrefixFeatureStore } from './prefix-feature-store.js';

/** A store of whole image sets' prefix outputs, and this set's key in it. */
export interface FeatureStoreSlot {
  store: PrefixFeatureStore;
  key: string;
}

/**
 * A dataset of the frozen prefix's outputs: the first time an example comes by, the prefix runs on its
 * image; afterwards its features come from memory. Batches keep the source's order, labels and indices.
 * With a store, a set computed before (by an earlier trial, or on disk by another process) is read from
 * it instead, and a set computed here in full is kept there.
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
  /** Examples whose prefix output came from the store. */
  loaded = 0;
  private looked = false;
  private saved = false;

  constructor(
    private readonly source: ImageDataset,
    private readonly prefix: LayersModel,
    private readonly slot?: FeatureStoreSlot,
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

  private get perExample(): number {
    return this.featureShape.reduce((a, b) => a * b, 1);
  }

  private async fromStore(): Promise<void> {
    if (!this.slot || this.looked) return;
    this.looked = true;
    const per = this.perExample;
    const all = await this.slot.store.load(this.slot.key, this.length * per);
    if (!all) return;
    for (let i = 0; i < this.length; i++) this.features[i] = all.subarray(i * per, (i + 1) * per);
    this.loaded = this.length;
    this.saved = true;
  }

  private async toStore(): Promise<void> {
    if (!this.slot || this.saved || this.features.some((f) => f === undefined)) return;
    this.saved = true;
    const per = this.perExample;
    const all = new Float32Array(this.length * per);
    this.features.forEach((f, i) => all.set(f!, i * per));
    await this.slot.store.save(this.slot.key, all);
  }

  async *batches(epoch = 0): AsyncGenerator<Batch> {
    await this.fromStore();
    yield* this.featureBatches(epoch);
    await this.toStore();
  }

  private async *featureBatches(epoch: number): AsyncGenerator<Batch> {
    for await (const batch of this.source.batches(epoch)) {
      await this.fill(batch);
      batch.x.dispose();
      const per = this.perExample;
      const data = new Float32Array(batch.indices.length * per);
      batch.indices.forEach((index, k) => data.set(this.features[index]!, k * per));
      // Features after pooling are [n, c]; the Batch type names the usual case.
      const x = tf.tensor(data, [batch.indices.length, ...this.featureShape]) as unknown as tf.Tensor4D;
      yield { x, y: batch.y, indices: batch.indices };
    }
  }
}

/**
 * The split's prefix outputs on `dataset`: read from the store when it holds them; else computed from the
 * outputs of the deepest shorter prefix it holds (an earlier trial that froze less), running only the
 * layers in between; else from the images. `origin` says which.
 */
export function frozenFeatures(
  model: LayersModel,
  split: FrozenPrefixSplit,
  dataset: ImageDataset,
  store: PrefixFeatureStore,
  preprocessing: string,
): { dataset: FrozenFeatureDataset; origin: string } {
  const inner = innerPrefixCuts(model, split);
  const [own, ...shorter] = prefixFeatureKeys(model, [split.cut, ...inner], dataset, preprocessing);
  const slot = { store, key: own };
  if (store.has(own)) {
    return { dataset: new FrozenFeatureDataset(dataset, split.prefix, slot), origin: 'the cache' };
  }
  const k = shorter.findIndex((key) => store.has(key));
  const part = k >= 0 ? innerPrefix(model, split, inner[k]) : undefined;
  if (part) {
    const from = new FrozenFeatureDataset(dataset, part.prefix, { store, key: shorter[k] });
    return {
      dataset: new FrozenFeatureDataset(from, part.middle, slot),
      origin: `the cached outputs of layers 0–${part.cut - 1}, through layers ${part.cut}–${split.cut - 1}`,
    };
  }
  return { dataset: new FrozenFeatureDataset(dataset, split.prefix, slot), origin: 'the images' };
}
