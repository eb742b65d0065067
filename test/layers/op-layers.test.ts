import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initBackend } from '../../src/engine/backend.js';
import { BatchMatMul, BatchReshape, ScaleByConstant, SplitLastAxis } from '../../src/layers/index.js';

before(async () => {
  await initBackend();
});

const close = (a: tf.Tensor, b: tf.Tensor, tol = 1e-5): void => {
  assert.deepEqual(a.shape, b.shape);
  const diff = tf.max(tf.abs(tf.sub(a, b))).dataSync()[0];
  assert.ok(diff <= tol, `max difference ${diff}`);
};

/** input [4, 6] → BatchReshape[3,2] → split → matmul(a, bᵀ-like) → scale; every op layer in one graph. */
function opModel(): tfl.LayersModel {
  const input = tfl.input({ shape: [4, 6], name: 'x' });
  const [a, b] = new SplitLastAxis({ numSplits: 2, name: 'split' }).apply(input) as tfl.SymbolicTensor[];
  const bt = tfl.layers.permute({ dims: [2, 1], name: 'bt' }).apply(b) as tfl.SymbolicTensor;
  const product = new BatchMatMul({ name: 'matmul' }).apply([a, bt]) as tfl.SymbolicTensor; // [b, 4, 4]
  const scaled = new ScaleByConstant({ scale: 0.5, name: 'scale' }).apply(product) as tfl.SymbolicTensor;
  const folded = new BatchReshape({ targetShape: [2, 4], name: 'fold' }).apply(scaled) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: folded });
}

describe('op layers', () => {
  it('compute what the TensorFlow ops compute, with the batch axis folded', () => {
    const model = opModel();
    assert.deepEqual(model.outputs[0].shape, [null, 2, 4]);
    const x = tf.randomNormal([3, 4, 6], 0, 1, 'float32', 7);
    const y = model.predict(x) as tf.Tensor;
    const [a, b] = tf.split(x, 2, -1);
    const expected = tf.reshape(tf.mul(tf.matMul(a, b, false, true), 0.5), [-1, 2, 4]);
    assert.deepEqual(y.shape, [6, 2, 4]);
    close(y, expected);
  });

  it('split once per input although the graph executor applies the split for each used part', async () => {
    const model = opModel();
    const x = tf.randomNormal([3, 4, 6], 0, 1, 'float32', 5);
    const before = tf.memory().numTensors;
    const profile = await tf.profile(() => tf.tidy(() => model.predict(x) as tf.Tensor).dispose());
    assert.equal(profile.kernels.filter((k) => k.name === 'SplitV').length, 1);
    assert.equal(tf.memory().numTensors, before);
    // Both parts carry their gradient: d/dx sum(a · bᵀ) is [rowsum(b) | rowsum(a)] per row pair.
    tf.tidy(() => {
      const g = tf.grad((t: tf.Tensor) => tf.sum(model.apply(t) as tf.Tensor))(x);
      const [a, b] = tf.split(x, 2, -1);
      const ga = tf.broadcastTo(tf.mul(tf.sum(b, 1, true), 0.5), a.shape);
      const gb = tf.broadcastTo(tf.mul(tf.sum(a, 1, true), 0.5), b.shape);
      close(g, tf.concat([ga, gb], -1));
    });
    assert.equal(tf.memory().numTensors, before);
    x.dispose();
  });

  it('split again once its earlier parts are disposed', () => {
    const layer = new SplitLastAxis({ numSplits: 3 });
    const x = tf.reshape(tf.range(0, 12), [2, 6]);
    const first = layer.apply(x) as tf.Tensor[];
    assert.ok((layer.apply(x) as tf.Tensor[]).every((t, i) => t === first[i]));
    tf.dispose(first);
    const second = layer.apply(x) as tf.Tensor[];
    assert.ok(second.every((t) => !t.isDisposed));
    assert.deepEqual(second[2].arraySync(), [
      [4, 5],
      [10, 11],
    ]);
    tf.dispose([x, ...second]);
  });

  it('pass gradients through (d/dx of sum(scale · x)) = scale)', () => {
    const layer = new ScaleByConstant({ scale: 3 });
    const g = tf.grad((x: tf.Tensor) => tf.sum(layer.apply(x) as tf.Tensor))(tf.ones([2, 3]));
    assert.deepEqual(Array.from(g.dataSync()), [3, 3, 3, 3, 3, 3]);
  });

  it('serialize and deserialize with their settings', async () => {
    const model = opModel();
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const json = JSON.stringify(saved?.modelTopology);
    for (const name of ['BatchReshape', 'BatchMatMul', 'SplitLastAxis', 'ScaleByConstant'])
      assert.ok(json.includes(name));
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(saved as tf.io.ModelArtifacts));
    const x = tf.randomNormal([2, 4, 6], 0, 1, 'float32', 3);
    assert.deepEqual(
      (loaded.predict(x) as tf.Tensor).arraySync(),
      (model.predict(x) as tf.Tensor).arraySync(),
    );
    const scale = loaded.getLayer('scale') as ScaleByConstant;
    assert.equal(scale.scale, 0.5);
    assert.deepEqual((loaded.getLayer('fold') as BatchReshape).targetShape, [2, 4]);
  });
});
