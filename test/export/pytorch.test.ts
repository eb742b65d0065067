import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { initBackend } from '../../src/engine/backend.js';
import { savePytorch } from '../../src/export/index.js';
import { buildGoogLeNet, googlenetInferenceModel, listModels } from '../../src/models/index.js';
import { buildSmall, diffAndRange, randomizeWeights } from './zoo-models.js';

const PYTHON = '/usr/bin/python3';
const hasTorch = spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
const RUNNER = path.join(import.meta.dirname, 'python', 'run_torch_models.py');

interface Case {
  label: string;
  model: tfl.LayersModel;
  size: number;
}

describe(
  'PyTorch export: the generated nn.Module computes what visionlab computes',
  { skip: hasTorch ? false : `${PYTHON} has no torch (apt-get install python3-torch)` },
  () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'visionlab-torch-'));
    const cases: Case[] = [];
    const expected = new Map<string, Float32Array>();

    before(async () => {
      await initBackend();
      for (const spec of listModels()) {
        cases.push({ label: spec.name, ...buildSmall(spec) });
      }
      const training = buildGoogLeNet({
        inputShape: [80, 80, 3],
        classes: 2,
        auxiliaryOutputs: true,
        initializeWeights: false,
      });
      cases.push({ label: 'googlenet_training_aux', model: googlenetInferenceModel(training), size: 80 });
      const jobs = [];
      for (const [i, c] of cases.entries()) {
        randomizeWeights(c.model, i + 1);
        const x = tf.randomUniform([2, c.size, c.size, 3], -1, 1, 'float32', i + 1);
        const y = c.model.predict(x) as tf.Tensor;
        expected.set(c.label, y.dataSync() as Float32Array);
        const dir = path.join(tmp, c.label);
        await savePytorch(c.model, path.join(dir, 'model.py'));
        await fs.writeFile(path.join(dir, 'x.f32'), x.dataSync() as Float32Array);
        jobs.push({
          module: path.join(dir, 'model.py'),
          input: path.join(dir, 'x.f32'),
          shape: x.shape,
          output: path.join(dir, 'y.f32'),
        });
        tf.dispose([x, y]);
        c.model.dispose();
      }
      await fs.writeFile(path.join(tmp, 'jobs.json'), JSON.stringify(jobs));
      execFileSync(PYTHON, [RUNNER, path.join(tmp, 'jobs.json')], { stdio: ['ignore', 'ignore', 'pipe'] });
    });
    after(async () => {
      await fs.rm(tmp, { recursive: true, force: true });
    });

    for (const spec of [...listModels().map((s) => s.name), 'googlenet_training_aux']) {
      it(spec, async () => {
        const got = new Float32Array((await fs.readFile(path.join(tmp, spec, 'y.f32'))).buffer.slice(0));
        const want = expected.get(spec)!;
        assert.equal(got.length, want.length);
        const { maxDiff, range } = diffAndRange(want, got);
        assert.ok(range > 1e-3, `outputs vary (range ${range})`);
        assert.ok(maxDiff <= 1e-4 * range, `max |diff| ${maxDiff} > 1e-4 × range ${range}`);
      });
    }
  },
);
