import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { FASHION_MNIST_DIR } from '../src/data/from-idx.js';
import { readIdxFile } from '../src/data/idx-file.js';
import { buildTransferModel } from '../src/models/transfer.js';
import type { BenchSection } from './sections.js';

export interface FineTuneComparisonOptions {
  /** Fashion-MNIST classes used (default all ten). */
  classes?: number[];
  trainPerClass: number;
  testPerClass: number;
  /** Images are resized from 28×28 to size×size and repeated to three channels. */
  size: number;
  epochs: number;
  batchSize?: number;
  learningRate?: number;
  log?: (line: string) => void;
}

export interface FineTuneComparison {
  trainImages: number;
  testImages: number;
  epochs: number;
  pretrainedTestAccuracy: number;
  scratchTestAccuracy: number;
  pretrainedSeconds: number;
  scratchSeconds: number;
}

/** The first `perClass` images of each class (file order), as 0–255 RGB at size×size, and one-hot labels. */
export async function fashionMnistSubset(
  split: 'train' | 't10k',
  perClass: number,
  classes: number[],
  size: number,
): Promise<{ x: tf.Tensor4D; y: tf.Tensor2D }> {
  const images = await readIdxFile(path.join(FASHION_MNIST_DIR, `${split}-images-idx3-ubyte.gz`));
  const labels = await readIdxFile(path.join(FASHION_MNIST_DIR, `${split}-labels-idx1-ubyte.gz`));
  const [, h, w] = images.shape;
  const picked: number[] = [];
  const counts = new Map(classes.map((c) => [c, 0]));
  for (let i = 0; i < labels.data.length && picked.length < perClass * classes.length; i++) {
    const label = labels.data[i];
    const seen = counts.get(label);
    if (seen === undefined || seen >= perClass) continue;
    counts.set(label, seen + 1);
    picked.push(i);
  }
  const pixels = new Float32Array(picked.length * h * w);
  picked.forEach((index, row) =>
    pixels.set(images.data.subarray(index * h * w, (index + 1) * h * w), row * h * w),
  );
  return tf.tidy(() => {
    const small = tf.tensor4d(pixels, [picked.length, h, w, 1]);
    const x = tf.tile(tf.image.resizeBilinear(small, [size, size]), [1, 1, 1, 3]) as tf.Tensor4D;
    const y = tf.oneHot(
      tf.tensor1d(
        picked.map((i) => classes.indexOf(labels.data[i])),
        'int32',
      ),
      classes.length,
    ) as tf.Tensor2D;
    return { x, y: tf.cast(y, 'float32') as tf.Tensor2D };
  });
}

async function trainAndTest(
  pretrained: boolean,
  data: { train: { x: tf.Tensor4D; y: tf.Tensor2D }; test: { x: tf.Tensor4D; y: tf.Tensor2D } },
  options: FineTuneComparisonOptions,
  classes: number,
): Promise<{ accuracy: number; seconds: number }> {
  const started = performance.now();
  const { model } = await buildTransferModel({
    backbone: 'mobilenet_v2_nsfwjs',
    inputShape: [options.size, options.size, 3],
    pretrained: pretrained ? 'nsfwjs' : null,
    dropout: 0.2,
    units: classes,
    activation: 'softmax',
  });
  model.compile({
    optimizer: tf.train.adam(options.learningRate ?? 1e-3),
    loss: 'categoricalCrossentropy',
    metrics: ['accuracy'],
  });
  await model.fit(data.train.x, data.train.y, {
    epochs: options.epochs,
    batchSize: options.batchSize ?? 32,
    shuffle: true,
    verbose: 0,
  });
  const accuracy = tf.tidy(() => {
    const predicted = tf.argMax(model.predict(data.test.x, { batchSize: 64 }) as tf.Tensor, -1);
    return tf.mean(tf.cast(tf.equal(predicted, tf.argMax(data.test.y, -1)), 'float32')).dataSync()[0];
  });
  model.dispose();
  return { accuracy, seconds: (performance.now() - started) / 1000 };
}

/**
 * Fine-tunes nsfwjs' pretrained MobileNetV2 and the same architecture from random weights on the same
 * few Fashion-MNIST images for the same epochs, and reports both test accuracies.
 */
export async function compareFineTuneWithScratch(
  options: FineTuneComparisonOptions,
): Promise<FineTuneComparison> {
  const classes = options.classes ?? [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const train = await fashionMnistSubset('train', options.trainPerClass, classes, options.size);
  const test = await fashionMnistSubset('t10k', options.testPerClass, classes, options.size);
  const data = { train, test };
  options.log?.(`  pretrained: ${train.x.shape[0]} images, ${options.epochs} epochs`);
  const pretrained = await trainAndTest(true, data, options, classes.length);
  options.log?.(`  from scratch`);
  const scratch = await trainAndTest(false, data, options, classes.length);
  tf.dispose([train.x, train.y, test.x, test.y]);
  return {
    trainImages: train.x.shape[0],
    testImages: test.x.shape[0],
    epochs: options.epochs,
    pretrainedTestAccuracy: pretrained.accuracy,
    scratchTestAccuracy: scratch.accuracy,
    pretrainedSeconds: pretrained.seconds,
    scratchSeconds: scratch.seconds,
  };
}

/** nsfwjs' pretrained MobileNetV2 fine-tuned vs. the same network from random weights, a few hundred images. */
export const fashionTransferSection: BenchSection = {
  name: 'fashionTransfer',
  description:
    'Fashion-MNIST (T-shirt, trouser, sneaker, bag; 300 images at 96×96 RGB): fine-tuned pretrained mobilenet_v2_nsfwjs vs. from scratch, same epochs',
  async run(options) {
    return {
      ...(await compareFineTuneWithScratch({
        classes: [0, 1, 7, 8],
        trainPerClass: options.quick ? 25 : 75,
        testPerClass: 100,
        size: options.quick ? 32 : 96,
        epochs: options.quick ? 2 : 3,
        log: options.log,
      })),
    };
  },
};
