import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { splitNestedGroups, type H5Layer } from '../../src/weights/index.js';

const weight = (name: string) => ({ name, shape: [1], values: Float32Array.of(0) });

describe('nested model groups', () => {
  it('split into their layers whether weight names carry the group (Keras 3, TF 2 scopes) or not', () => {
    const model = new Set(['stem_conv', 'stem_ln', 'head']);
    const withGroup: H5Layer = {
      name: 'stem',
      weights: ['stem/stem_conv/kernel:0', 'stem/stem_conv/bias:0', 'stem/stem_ln/gamma:0'].map(weight),
    };
    const withoutGroup: H5Layer = {
      name: 'stem',
      weights: ['stem_conv/kernel:0', 'stem_conv/bias:0', 'stem_ln/gamma:0'].map(weight),
    };
    for (const group of [withGroup, withoutGroup]) {
      const split = splitNestedGroups([group], model);
      assert.deepEqual(
        split.map((l) => [l.name, l.weights.length, l.nestedIn]),
        [
          ['stem_conv', 2, 'stem'],
          ['stem_ln', 1, 'stem'],
        ],
      );
    }
  });

  it('leaves a layer alone when the model has it, or when its weights are its own', () => {
    const own: H5Layer = { name: 'head', weights: ['head/kernel:0', 'head/bias:0'].map(weight) };
    const mha: H5Layer = { name: 'attn', weights: ['attn/kernel:0'].map(weight) };
    assert.deepEqual(splitNestedGroups([own, mha], new Set(['head'])), [own, mha]);
  });
});
