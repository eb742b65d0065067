import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { windowAttention } from '../../src/models/davit/attention.js';
import { davitT } from '../../src/models/davit/index.js';
import { summarizeModel } from '../../src/models/index.js';

describe('FLOP counts of attention layers', () => {
  it('count dense layers on 3-D inputs per token and batched matmuls per window, per image', () => {
    // A 4×4×8 map in four 2×2 windows, 2 heads of 4 channels.
    const input = tfl.input({ shape: [4, 4, 8] });
    const model = tfl.model({ inputs: input, outputs: windowAttention(input, [2, 2], 2, 'w_') });
    const s = summarizeModel(model);
    const byClass = (c: string) => s.layers.filter((l) => l.className === c).reduce((t, l) => t + l.flops, 0);
    const tokens = 16;
    // qkv: 8 → 24 per token, output: 8 → 8, each with its bias.
    assert.equal(byClass('Dense'), tokens * (2 * 8 * 24 + 24) + tokens * (2 * 8 * 8 + 8));
    // q·kᵀ and attention·v: 4 windows × 2 heads × 4×4 outputs, each a sum of 4 products.
    assert.equal(byClass('BatchMatMul'), 2 * (4 * 2 * 4 * 4 * 4 * 2));
    assert.equal(byClass('Softmax'), 4 * 2 * 4 * 4);
    model.dispose();
  });

  it('give DaViT-T at 224×224 its published 4.5 GMAC', () => {
    const model = davitT({ inputShape: [224, 224, 3] });
    const gmac = summarizeModel(model).flops / 2e9;
    assert.ok(Math.abs(gmac - 4.5) < 0.1, `${gmac} GMAC`);
    model.dispose();
  });
});
