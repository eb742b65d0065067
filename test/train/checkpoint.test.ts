import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { VisionlabError } from '../../src/errors.js';
import { decodeCheckpoint, encodeCheckpoint, readCheckpointFile } from '../../src/train/checkpoint-file.js';
import {
  Callback,
  EarlyStopping,
  fit,
  makeOptimizer,
  ReduceLROnPlateau,
  setRandomSeed,
  type Logs,
} from '../../src/train/index.js';
import { assertBitEqual, initTrainingBackend, syntheticDataset, tinyCnn, weightsOf } from './helpers.js';
import { TS_NODE_FLAGS } from '../helpers/ts-node.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const tmp = mkdtempSync(path.join(os.tmpdir(), 'visionlab-ckpt-'));

before(async () => {
  await initTrainingBackend();
});

test('a checkpoint round-trips state and tensors exactly; a damaged one is refused', async () => {
  const a = tf.tensor([1.5, -2, Math.PI], [3]);
  const b = tf.tensor([[1, 2]], [1, 2], 'int32');
  const buffer = await encodeCheckpoint({
    state: { epoch: 3, note: 'x' },
    groups: { weights: { names: ['a', 'b'], tensors: [a, b] } },
  });
  const back = decodeCheckpoint<{ epoch: number }>(buffer);
  assert.equal(back.state.epoch, 3);
  assert.deepEqual(back.groups.weights.names, ['a', 'b']);
  assert.deepEqual(Array.from(back.groups.weights.tensors[0].dataSync()), Array.from(a.dataSync()));
  assert.equal(back.groups.weights.tensors[1].dtype, 'int32');
  assert.deepEqual(back.groups.weights.tensors[1].shape, [1, 2]);
  const damaged = Buffer.from(buffer);
  damaged[damaged.length - 3] ^= 0xff;
  assert.throws(
    () => decodeCheckpoint(damaged),
    (e: Error) => e instanceof VisionlabError && /checksum/.test(e.message),
  );
  assert.throws(() => decodeCheckpoint(buffer.subarray(0, 20)), VisionlabError);
  tf.dispose([a, b, ...back.groups.weights.tensors]);
});

/** Aborts training after a given batch of a given epoch, like Ctrl-C would. */
class InterruptAt extends Callback {
  readonly name = 'InterruptAt';
  private epoch = 0;
  constructor(
    private readonly controller: AbortController,
    private readonly atEpoch: number,
    private readonly atBatch: number,
  ) {
    super();
  }
  override async onEpochBegin(epoch: number): Promise<void> {
    this.epoch = epoch;
  }
  override async onBatchEnd(batch: number, _logs: Logs): Promise<void> {
    if (this.epoch === this.atEpoch && batch === this.atBatch) this.controller.abort();
  }
}

async function trainRun(options: {
  checkpointFile?: string;
  interrupt?: [number, number];
  resume?: boolean;
  seed?: number;
}) {
  setRandomSeed(options.seed ?? 21);
  const model = tinyCnn({ dropout: 0.3 });
  const data = syntheticDataset({ perClass: 10, batchSize: 4, shuffleSeed: 2 });
  const controller = new AbortController();
  const callbacks: Callback[] = [
    new ReduceLROnPlateau({ factor: 0.5, patience: 1, minDelta: 1 }),
    new EarlyStopping({ patience: 50, restoreBestWeights: true }),
  ];
  if (options.interrupt) callbacks.push(new InterruptAt(controller, ...options.interrupt));
  const result = await fit(model, data, {
    epochs: 4,
    optimizer: makeOptimizer({ name: 'adam', learningRate: 0.05 }),
    validationData: data,
    callbacks,
    verbose: 0,
    checkpointFile: options.checkpointFile,
    resume: options.resume,
    abortSignal: controller.signal,
    interruptSignals: [],
  });
  return { result, weights: weightsOf(model) };
}

test('resuming after an interruption ends with the same weights and history as an uninterrupted run', async () => {
  const reference = await trainRun({});
  for (const [epoch, batch] of [
    [1, 2],
    [2, 4],
  ] as const) {
    const file = path.join(tmp, `resume-${epoch}-${batch}.ckpt`);
    const stopped = await trainRun({ checkpointFile: file, interrupt: [epoch, batch] });
    assert.equal(stopped.result.stopReason, 'interrupted');
    assert.equal(stopped.result.history.length, epoch);
    // A different seed: everything that matters must come from the checkpoint.
    const resumed = await trainRun({ checkpointFile: file, resume: true, seed: 999 });
    assert.equal(resumed.result.stopReason, 'completed');
    assert.deepEqual(resumed.result.history, reference.result.history);
    assert.equal(resumed.result.restoredEpoch, reference.result.restoredEpoch);
    assert.ok(
      assertBitEqual(resumed.weights, reference.weights),
      `same final weights (interrupted at ${epoch}/${batch})`,
    );
  }
  assert.ok(
    reference.result.history.some((h) => h.lr < 0.05),
    'the reference run reduced its learning rate',
  );
});

test('SIGKILL during a checkpoint write never leaves a corrupt checkpoint', async () => {
  const file = path.join(tmp, 'killed.ckpt');
  for (let round = 0; round < 2; round++) {
    const child = spawn(
      process.execPath,
      [...TS_NODE_FLAGS, path.join(here, 'checkpoint-writer-child.ts'), file],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let writes = 0;
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        writes += String(d)
          .split('\n')
          .filter((l) => l.startsWith('wrote')).length;
        // Kill somewhere inside a later write: the writes take tens of milliseconds each.
        if (writes >= 2 + round) {
          setTimeout(() => child.kill('SIGKILL'), 5 + round * 7);
          child.stdout.removeAllListeners('data');
          resolve();
        }
      });
      child.on('error', reject);
      child.on('exit', (code) =>
        code !== null && code !== 0 ? reject(new Error(`writer exited ${code}`)) : undefined,
      );
    });
    await new Promise((resolve) => child.on('exit', resolve));
    const content = await readCheckpointFile<{ iteration: number }>(file);
    const values = content.groups.weights.tensors[0].dataSync();
    assert.ok(content.state.iteration >= 1);
    assert.equal(values.length, 4 * 1024 * 1024);
    assert.ok(
      values.every((v) => v === content.state.iteration),
      'every value from the same write',
    );
    tf.dispose(content.groups.weights.tensors);
  }
  const leftovers = (await fs.readdir(tmp)).filter((f) => f.endsWith('.tmp'));
  // Temp files of killed writes may remain beside it; they are never read as the checkpoint.
  assert.ok(leftovers.every((f) => f.startsWith('.killed.ckpt.')));
});
