import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ClipByValue } from '@tensorflow/tfjs-core';
import { loadAddon } from '../../src/engine/native/addon.js';
import { COMPARE_KERNELS } from '../../src/engine/native/compare-kernels.js';
import { BINARY_KERNELS, UNARY_KERNELS } from '../../src/engine/native/eltwise-kernels.js';
import { opCode } from '../../src/engine/native/kernel-utils.js';
import { skipNative } from './native-helpers.js';

describe("the addon's operation-code tables", { skip: skipNative }, () => {
  test('name exactly the kernels TypeScript runs through them, each with its own code', () => {
    const { addon } = loadAddon();
    assert.ok(addon);
    const tables: Array<[string, Readonly<Record<string, number>>, string[]]> = [
      ['binaryOps', addon.binaryOps, BINARY_KERNELS],
      // ClipByValue runs through `unary` with its own kernel function.
      ['unaryOps', addon.unaryOps, [...UNARY_KERNELS, ClipByValue]],
      ['compareOps', addon.compareOps, COMPARE_KERNELS],
    ];
    for (const [name, table, kernels] of tables) {
      assert.deepEqual(
        Object.keys(table).sort(),
        [...kernels].sort(),
        `${name}: addon and TypeScript differ`,
      );
      const codes = Object.values(table).sort((a, b) => a - b);
      assert.deepEqual(
        codes,
        kernels.map((_, i) => i),
        `${name}: codes are not 0..${kernels.length - 1}`,
      );
    }
  });

  test('a kernel missing from a table is refused by name', () => {
    assert.equal(opCode({ Add: 0, Sub: 1 }, 'Sub'), 1);
    assert.throws(() => opCode({ Add: 0 }, 'Sub'), /no operation code for Sub/);
  });
});
