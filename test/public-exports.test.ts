import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as visionlab from '../src/index.js';

test('the public face holds the planned step but not its test-only dropout helpers', () => {
  assert.equal(typeof visionlab.planTrainingStep, 'function');
  assert.equal('dropoutMultiplier' in visionlab, false);
  assert.equal('dropoutState' in visionlab, false);
});
