import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import * as ort from 'onnxruntime-node';
import { initBackend } from '../../src/engine/backend.js';
import { exportOnnx, modelGraph } from '../../src/export/index.js';
import { diffAndRange, randomizeWeights, randomPixels } from './zoo-models.js';

type Sym = tfl.SymbolicTensor;

/** input → nested [conv → bn] model → shared dense applied twice (to the pooled map and to itself). */
function nestedModel(): tfl.LayersModel {
  const innerInput = tfl.input({ shape: [8, 8, 3], name: 'inner_input' });
  const conv = tfl.layers
    .conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'conv' })
    .apply(innerInput) as Sym;
  const bn = tfl.layers.batchNormalization({ name: 'bn' }).apply(conv) as Sym;
  const stem = tfl.model({ inputs: innerInput, outputs: bn, name: 'stem' });
  const input = tfl.input({ shape: [8, 8, 3], name: 'pixels' });
  const pooled = tfl.layers.globalAveragePooling2d({ name: 'gap' }).apply(stem.apply(input) as Sym) as Sym;
  const shared = tfl.layers.dense({ units: 4, activation: 'tanh', name: 'shared' });
  const twice = shared.apply(shared.apply(pooled)) as Sym;
  return tfl.model({ inputs: input, outputs: twice, name: 'nested' });
}

describe('the layer graph the exporters walk', () => {
  before(async () => {
    await initBackend();
  });

  it('flattens nested models and names each application of a shared layer', () => {
    const model = nestedModel();
    const graph = modelGraph(model);
    assert.deepEqual(graph.inputs, ['pixels']);
    assert.deepEqual(
      graph.nodes.map((n) => [n.layer.name, n.inputs, n.outputs]),
      [
        ['conv', ['pixels'], ['stem/conv']],
        ['bn', ['stem/conv'], ['stem/bn']],
        ['gap', ['stem/bn'], ['gap']],
        ['shared', ['gap'], ['shared']],
        ['shared', ['shared'], ['shared_1']],
      ],
    );
    assert.deepEqual(graph.outputs, ['shared_1']);
    assert.deepEqual(graph.shapes.get('stem/bn'), [null, 8, 8, 4]);
    model.dispose();
  });

  it('exports such a model to ONNX with the outputs visionlab computes', async () => {
    const model = nestedModel();
    randomizeWeights(model, 9);
    const x = randomPixels([3, 8, 8, 3]);
    const expected = tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync() as Float32Array);
    const session = await ort.InferenceSession.create(exportOnnx(model));
    const out = await session.run({
      input: new ort.Tensor('float32', x.dataSync() as Float32Array, x.shape),
    });
    const { maxDiff, range } = diffAndRange(expected, out.output.data as Float32Array);
    assert.ok(range > 1e-3);
    assert.ok(maxDiff <= 1e-4 * range, `${maxDiff}`);
    await session.release();
    x.dispose();
    model.dispose();
  });
});
