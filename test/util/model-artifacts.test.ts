import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
  appendFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { initBackend } from '../../src/engine/backend.js';
import { VisionlabError } from '../../src/errors.js';
import { readModelArtifacts } from '../../src/util/model-artifacts.js';
import { saveModel, tinyClassifier } from '../serve/model-fixture.js';

async function modelFolder(): Promise<{ runDir: string; modelDir: string; json: Record<string, unknown> }> {
  await initBackend();
  const runDir = mkdtempSync(path.join(os.tmpdir(), 'visionlab-artifacts-'));
  const model = tinyClassifier(3);
  await saveModel(model, runDir);
  model.dispose();
  const modelDir = path.join(runDir, 'model');
  return { runDir, modelDir, json: JSON.parse(readFileSync(path.join(modelDir, 'model.json'), 'utf8')) };
}

function pointWeightsAt(modelDir: string, json: Record<string, unknown>, shard: string): void {
  const manifest = json.weightsManifest as Array<{ paths: string[] }>;
  writeFileSync(
    path.join(modelDir, 'model.json'),
    JSON.stringify({ ...json, weightsManifest: [{ ...manifest[0], paths: [shard] }] }),
  );
}

test('weight paths in model.json stay inside the model folder', async () => {
  const { runDir, modelDir, json } = await modelFolder();
  try {
    const outside = path.join(runDir, 'outside.bin');
    writeFileSync(outside, readFileSync(path.join(modelDir, 'weights.bin')));
    for (const shard of ['../../dev/zero', '/dev/zero', '../outside.bin', outside, 'a/../../outside.bin']) {
      pointWeightsAt(modelDir, json, shard);
      await assert.rejects(readModelArtifacts(modelDir), (err: Error) => {
        assert.ok(err instanceof VisionlabError, shard);
        assert.match(err.message, /names the weight file .* which is outside its folder/, shard);
        return true;
      });
    }
    // a symlink beside model.json leading out is refused too
    symlinkSync(outside, path.join(modelDir, 'linked.bin'));
    pointWeightsAt(modelDir, json, 'linked.bin');
    await assert.rejects(readModelArtifacts(modelDir), VisionlabError);
    pointWeightsAt(modelDir, json, './weights.bin');
    const artifacts = await readModelArtifacts(modelDir);
    assert.equal((artifacts.weightData as ArrayBuffer).byteLength, readFileSync(outside).length);
  } finally {
    rmSync(runDir, { recursive: true, force: true });
  }
});

test('a FIFO as the weights file or model.json is refused without blocking', async () => {
  const { runDir, modelDir, json } = await modelFolder();
  try {
    execFileSync('mkfifo', [path.join(modelDir, 'pipe.bin')]);
    pointWeightsAt(modelDir, json, 'pipe.bin');
    await assert.rejects(
      readModelArtifacts(modelDir),
      /pipe\.bin is a FIFO \(named pipe\), not a regular file/,
    );
    rmSync(path.join(modelDir, 'model.json'));
    execFileSync('mkfifo', [path.join(modelDir, 'model.json')]);
    await assert.rejects(readModelArtifacts(modelDir), /model\.json is a FIFO/);
  } finally {
    rmSync(runDir, { recursive: true, force: true });
  }
});

test('weights.bin must hold exactly the bytes the manifest describes', async () => {
  const { runDir, modelDir } = await modelFolder();
  try {
    const file = path.join(modelDir, 'weights.bin');
    const size = readFileSync(file).length;
    appendFileSync(file, readFileSync(file));
    await assert.rejects(
      readModelArtifacts(modelDir),
      new RegExp(`hold ${2 * size} bytes; its manifest needs exactly ${size} \\(extra data\\)`),
    );
    truncateSync(file, size - 4);
    await assert.rejects(
      readModelArtifacts(modelDir),
      new RegExp(`hold ${size - 4} bytes; its manifest needs exactly ${size} \\(truncated\\)`),
    );
  } finally {
    rmSync(runDir, { recursive: true, force: true });
  }
});
