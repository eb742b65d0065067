import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { initBackend } from '../../src/engine/backend.js';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildModel, buildTransferModel, buildVit } from '../../src/models/index.js';
import { saveWeightsH5 } from '../../src/weights/index.js';
import { windowAttentionReference } from './davit-reference.js';

before(async () => {
  await initBackend();
});

/** Parameters of a ViT counted by hand from its definition (patch projection, [CLS], positions, blocks, head). */
function vitParams(dim: number, depth: number, patch: number, size: number, classes: number): number {
  const tokens = (size / patch) ** 2 + 1;
  const block =
    2 * (2 * dim) +
    (dim * 3 * dim + 3 * dim) +
    (dim * dim + dim) +
    (dim * 4 * dim + 4 * dim) +
    (4 * dim * dim + dim);
  const head = classes ? dim * classes + classes : 0;
  return patch * patch * 3 * dim + dim + dim + tokens * dim + depth * block + 2 * dim + head;
}

describe('ViT (keras_cv_attention_models beit/vit.py layer names)', () => {
  it('ViT-S/16 and ViT-B/16 have the published parameter counts', () => {
    // timm's vit_small_patch16_224 and vit_base_patch16_224 list 22.05M and 86.57M parameters;
    // Dosovitskiy et al. (arXiv 2010.11929) Table 1: ViT-Base 86M. Counted by hand: 22,050,664 and 86,567,656.
    assert.equal(vitParams(384, 12, 16, 224, 1000), 22_050_664);
    assert.equal(vitParams(768, 12, 16, 224, 1000), 86_567_656);
    for (const [name, dim] of [
      ['vit_s16', 384],
      ['vit_b16', 768],
    ] as const) {
      const top = buildModel(name, { initializeWeights: false });
      assert.equal(top.countParams(), vitParams(dim, 12, 16, 224, 1000), name);
      const headless = buildModel(name, { classes: 0, initializeWeights: false });
      assert.equal(headless.countParams(), vitParams(dim, 12, 16, 224, 0), name);
      assert.deepEqual(headless.outputs[0].shape, [null, 197, dim]);
      top.dispose();
      headless.dispose();
    }
  });

  it("names its weights as keras_cv_attention_models does, so that library's .h5 files load by name", () => {
    const model = buildModel('vit_s16', { initializeWeights: false });
    const shapes = new Map(model.weights.map((w) => [w.originalName, w.shape]));
    assert.deepEqual(shapes.get('stem_conv/kernel'), [16, 16, 3, 384]);
    assert.deepEqual(shapes.get('cls_token/tokens'), [1, 1, 384]);
    assert.deepEqual(shapes.get('positional_embedding/positional_embedding'), [1, 197, 384]);
    assert.deepEqual(shapes.get('block0_attn_qkv/kernel'), [384, 1152]);
    assert.deepEqual(shapes.get('block11_attn_output/bias'), [384]);
    assert.deepEqual(shapes.get('block11_mlp_dense_1/kernel'), [384, 1536]);
    assert.deepEqual(shapes.get('out_ln/gamma'), [384]);
    assert.deepEqual(shapes.get('predictions/kernel'), [384, 1000]);
    model.dispose();
  });

  it('computes the encoder of the paper: [CLS] + patches + positions, pre-norm attention and MLP, [CLS] to the head', () => {
    const arch = { embedDim: 32, depth: 2, numHeads: 4, patchSize: 8 };
    const model = buildVit(
      arch,
      { inputShape: [32, 32, 3], classes: 5, classifierActivation: 'linear' },
      'vit_tiny_test',
    );
    // Non-trivial LayerNorm parameters, so a swapped gamma/beta would show.
    for (const layer of model.layers.filter((l) => l.getClassName() === 'LayerNormalizationLastAxis')) {
      const jittered = layer
        .getWeights()
        .map((w, k) =>
          tf.tidy(() => tf.add(tf.randomUniform(w.shape, -0.3, 0.3, 'float32', 7), k === 0 ? 1 : 0)),
        );
      layer.setWeights(jittered);
      tf.dispose(jittered);
    }
    tf.tidy(() => void model.predict(tf.zeros([1, 32, 32, 3]))); // the first call builds the layers' constants
    const before = tf.memory().numTensors;
    const image = tf.randomUniform([1, 32, 32, 3], -1, 1, 'float32', 3);
    const get = (name: string): tfl.layers.Layer => model.getLayer(name);
    const expected = tf.tidy(() => {
      const ln = (x: tf.Tensor2D, name: string): tf.Tensor2D => {
        const [gamma, beta] = get(name).getWeights();
        const { mean, variance } = tf.moments(x, -1, true);
        return tf.add(
          tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-6))), gamma),
          beta,
        ) as tf.Tensor2D;
      };
      const dense = (x: tf.Tensor2D, name: string): tf.Tensor2D => {
        const [kernel, bias] = get(name).getWeights();
        return tf.add(tf.matMul(x, kernel as tf.Tensor2D), bias) as tf.Tensor2D;
      };
      const [kernel, bias] = get('stem_conv').getWeights();
      const patches = tf.reshape(
        tf.add(tf.conv2d(image as tf.Tensor4D, kernel as tf.Tensor4D, 8, 'valid'), bias),
        [16, 32],
      );
      let x = tf.concat([tf.reshape(get('cls_token').getWeights()[0], [1, 32]), patches]) as tf.Tensor2D;
      x = tf.add(x, tf.reshape(get('positional_embedding').getWeights()[0], [17, 32])) as tf.Tensor2D;
      for (let i = 0; i < 2; i++) {
        const normed = tf.reshape(ln(x, `block${i}_attn_ln`), [17, 1, 32]) as tf.Tensor3D;
        const attention = windowAttentionReference(
          normed,
          4,
          get(`block${i}_attn_qkv`),
          get(`block${i}_attn_output`),
        );
        x = tf.add(x, tf.reshape(attention, [17, 32])) as tf.Tensor2D;
        const hidden = tf.mul(
          tf.mul(dense(ln(x, `block${i}_mlp_ln`), `block${i}_mlp_dense_1`), 0.5),
          tf.add(1, tf.erf(tf.div(dense(ln(x, `block${i}_mlp_ln`), `block${i}_mlp_dense_1`), Math.SQRT2))),
        ) as tf.Tensor2D;
        x = tf.add(x, dense(hidden, `block${i}_mlp_dense_2`)) as tf.Tensor2D;
      }
      return dense(tf.slice(ln(x, 'out_ln'), [0, 0], [1, 32]), 'predictions');
    });
    const actual = model.predict(image) as tf.Tensor;
    const [diff, scale] = tf.tidy(() => [
      tf.max(tf.abs(tf.sub(actual, expected))).dataSync()[0],
      tf.max(tf.abs(expected)).dataSync()[0],
    ]);
    assert.ok(scale > 0.05 && diff <= 1e-4 * scale, `difference ${diff} of ${scale}`);
    tf.dispose([image, actual, expected]);
    assert.equal(tf.memory().numTensors, before);
    model.dispose();
  });

  it('fine-tunes as a backbone: a ViT .h5 in that layout loads by name, its tokens are averaged into the new head', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'visionlab-vit-'));
    try {
      const source = buildModel('vit_s16', { inputShape: [32, 32, 3], classes: 1000 });
      const file = path.join(dir, 'vit_small_patch16.h5');
      await saveWeightsH5(source, file, 'keras-model');
      const t = await buildTransferModel({
        backbone: 'vit_s16',
        inputShape: [32, 32, 3],
        pretrained: file,
        units: 1,
      });
      assert.equal(t.weights.report?.rule, 'by-name');
      assert.deepEqual(t.weights.report?.unusedInFile.sort(), [
        'predictions/predictions/bias:0',
        'predictions/predictions/kernel:0',
      ]);
      assert.deepEqual(
        t.model.layers.slice(-3).map((l) => l.getClassName()),
        ['GlobalAveragePooling1D', 'Dropout', 'Dense'],
      );
      assert.equal(t.model.countParams(), vitParams(384, 12, 16, 32, 0) + 384 + 1);
      const a = source.getLayer('block11_mlp_dense_2').getWeights()[0].dataSync();
      const b = t.model.getLayer('block11_mlp_dense_2').getWeights()[0].dataSync();
      assert.deepEqual(Array.from(b), Array.from(a));
      source.dispose();
      t.model.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
