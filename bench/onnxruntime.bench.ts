import os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import * as ort from 'onnxruntime-node';
import { exportOnnx } from '../src/export/index.js';
import { buildAlexnetMini } from '../src/models/alexnet-mini.js';
import { davitT } from '../src/models/davit/index.js';
import { median } from './model-timing.js';
import type { BenchSection } from './sections.js';
import { sized } from './sizes.js';

async function timeMs(reps: number, warmup: number, run: () => Promise<void> | void): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < warmup + reps; i++) {
    const t0 = performance.now();
    await run();
    if (i >= warmup) times.push(performance.now() - t0);
  }
  return median(times);
}

/** Inference ms/image of one model: visionlab (TF.js on native) and its ONNX export in onnxruntime. */
async function compare(
  build: () => tfl.LayersModel,
  inputShape: [number, number, number],
  batch: number,
  reps: number,
  warmup: number,
): Promise<Record<string, number>> {
  const model = build();
  const x = tf.randomUniform([batch, ...inputShape], -1, 1, 'float32', 3);
  const ours = await timeMs(
    reps,
    warmup,
    () => void tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync()),
  );
  const t0 = performance.now();
  const bytes = exportOnnx(model);
  const exportMs = performance.now() - t0;
  const threads = os.availableParallelism();
  const session = await ort.InferenceSession.create(bytes, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
  });
  const feed = { input: new ort.Tensor('float32', x.dataSync() as Float32Array, x.shape) };
  const theirs = await timeMs(reps, warmup, async () => void (await session.run(feed)));
  await session.release();
  x.dispose();
  model.dispose();
  return {
    batch,
    visionlabMsPerImage: ours / batch,
    onnxruntimeMsPerImage: theirs / batch,
    onnxruntimeSpeedup: ours / theirs,
    exportMs,
    onnxMiB: bytes.length / 2 ** 20,
  };
}

/** visionlab's forward pass beside onnxruntime's on the same exported graph, same machine, same run. */
export const onnxruntimeSection: BenchSection = {
  name: 'onnxruntime',
  backend: 'native',
  description:
    'inference ms/image: visionlab (native) vs onnxruntime on the exported ONNX, reduced AlexNet and DaViT-T',
  async run(options) {
    const { batch, reps } = sized(options, { batch: [1, 4], reps: [2, 5] });
    const warmup = 1;
    options.log('  alexnet_mini 280×280');
    const alexnetMini = await compare(
      () => buildAlexnetMini({ inputShape: [280, 280, 3] }),
      [280, 280, 3],
      batch,
      reps,
      warmup,
    );
    options.log('  davit_t 224×224');
    const davit = await compare(
      () => davitT({ inputShape: [224, 224, 3], numClasses: 1, classifierActivation: 'sigmoid' }),
      [224, 224, 3],
      batch,
      reps,
      warmup,
    );
    return { onnxruntimeVersion: ort.env.versions.common, alexnetMini280: alexnetMini, davitT224: davit };
  },
};
