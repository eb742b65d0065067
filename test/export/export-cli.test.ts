import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as tfl from '@tensorflow/tfjs-layers';
import { initBackend } from '../../src/engine/backend.js';
import { exportOnnx } from '../../src/export/index.js';
import { VisionlabError } from '../../src/errors.js';
import { makeFakeRun, TEST_IMAGES, type FakeRun } from '../evaluate/fixtures/fake-run.js';
import { runCli } from '../helpers/run-cli.js';

interface Row {
  source: string;
  predicted?: string;
  probabilities?: Record<string, number>;
  error?: string;
}

async function predictJson(args: string[]): Promise<Row[]> {
  const r = await runCli(['predict', ...args, '--json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Row[];
}

function assertSamePredictions(a: Row[], b: Row[]): void {
  assert.equal(a.length, b.length);
  a.forEach((row, i) => {
    assert.equal(row.source, b[i].source);
    assert.equal(row.predicted, b[i].predicted);
    assert.equal(Boolean(row.error), Boolean(b[i].error));
    for (const [c, p] of Object.entries(row.probabilities ?? {}))
      assert.ok(
        Math.abs(p - b[i].probabilities![c]) < 1e-5,
        `${row.source} ${c}: ${p} vs ${b[i].probabilities![c]}`,
      );
  });
}

describe('visionlab export --format onnx and predict --engine onnxruntime', () => {
  const runs: FakeRun[] = [];
  before(async () => {
    await initBackend();
    runs.push(
      await makeFakeRun({ output: 'softmax' }),
      await makeFakeRun({ output: 'sigmoid', preprocessing: 'torch' }),
    );
  });
  after(async () => {
    for (const run of runs) await run.cleanup();
  });

  for (const [i, label] of ['softmax, tf', 'sigmoid, torch'].entries()) {
    it(`predicts the same classes and probabilities as the TF.js model (${label})`, async () => {
      const run = runs[i];
      const images = [...TEST_IMAGES.map((t) => path.join(run.dataDir, t.name)), run.corruptFile];
      const tfjs = await predictJson([run.dir, ...images]);
      assert.deepEqual(
        tfjs.slice(0, TEST_IMAGES.length).map((r) => r.predicted),
        TEST_IMAGES.map((t) =>
          t.name.includes('purple') || t.name.includes('b3') ? 'blue' : t.name.split('/')[0],
        ),
      );

      const plain = path.join(run.dir, 'plain.onnx');
      let r = await runCli(['export', run.dir, '--format', 'onnx', '-o', plain]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /wrote .*plain\.onnx/);
      assertSamePredictions(
        await predictJson([run.dir, ...images, '--engine', 'onnxruntime', '--onnx', plain]),
        tfjs,
      );
      // The file alone carries the run's settings.
      assertSamePredictions(await predictJson([plain, ...images, '--engine', 'onnxruntime']), tfjs);

      r = await runCli(['export', run.dir, '--format', 'onnx', '--include-preprocessing']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /model\.onnx/);
      assertSamePredictions(await predictJson([run.dir, ...images, '--engine', 'onnxruntime']), tfjs);
      assertSamePredictions(
        await predictJson([path.join(run.dir, 'model.onnx'), ...images, '--engine', 'onnxruntime']),
        tfjs,
      );
    });
  }

  it('writes the Keras and PyTorch formats into the run folder by default', async () => {
    const run = runs[0];
    for (const [format, files] of [
      ['keras-h5', ['model.h5']],
      ['keras', ['model.keras']],
      ['pytorch', ['model.py', 'model.safetensors']],
    ] as const) {
      const r = await runCli(['export', run.dir, '--format', format]);
      assert.equal(r.code, 0, r.stderr);
      for (const f of files) {
        assert.match(r.stdout, new RegExp(`wrote .*${f.replace('.', '\\.')}`));
        assert.ok((await fs.stat(path.join(run.dir, f))).size > 0);
      }
    }
  });

  it('says what is wrong with a bad format, a missing ONNX file and an unknown engine', async () => {
    const run = runs[0];
    let r = await runCli(['export', run.dir, '--format', 'tflite']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Unknown export format "tflite".*\n.*onnx/);
    r = await runCli([
      'predict',
      run.dir,
      run.corruptFile,
      '--engine',
      'onnxruntime',
      '--onnx',
      path.join(run.dir, 'none.onnx'),
    ]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Cannot load ONNX model .*none\.onnx/);
    r = await runCli(['predict', run.dir, run.corruptFile, '--engine', 'torch']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Unknown --engine "torch"/);
  });

  it('export --help lists the formats and what each supports', async () => {
    const chunks: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string | Uint8Array) =>
      chunks.push(String(chunk)) > 0) as typeof process.stdout.write;
    try {
      assert.equal((await runCli(['export', '--help'])).code, 0);
    } finally {
      process.stdout.write = write;
    }
    const help = chunks.join('');
    assert.match(help, /--format <format>/);
    assert.match(help, /onnx\s+\.onnx\s+ONNX opset 17/);
  });

  it('names the layer and the format when a layer cannot be exported', () => {
    const input = tfl.input({ shape: [8, 8, 3] });
    const up = tfl.layers.upSampling2d({ size: [2, 2], name: 'upsample' }).apply(input) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: up });
    assert.throws(
      () => exportOnnx(model),
      (err: Error) =>
        err instanceof VisionlabError &&
        /Layer "upsample" \(UpSampling2D\) cannot be exported to ONNX/.test(err.message),
    );
    model.dispose();
  });
});
