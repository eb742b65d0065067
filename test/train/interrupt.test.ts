import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Callback, type Logs } from '../../src/train/callbacks/callback.js';
import { fit } from '../../src/train/fit.js';
import { makeOptimizer } from '../../src/train/optimizers.js';
import { setRandomSeed } from '../../src/train/random.js';
import { initTrainingBackend, syntheticDataset, tinyCnn } from './helpers.js';

/** Sends a real signal to this process at the end of one batch and counts the batches trained after it. */
class SignalAt extends Callback {
  readonly name = 'SignalAt';
  batchesAfter = 0;
  private sent = false;

  constructor(
    private readonly batch: number,
    private readonly signal: NodeJS.Signals,
  ) {
    super();
  }

  override async onBatchEnd(batch: number, _logs: Logs): Promise<void> {
    if (this.sent) this.batchesAfter++;
    if (batch === this.batch && !this.sent) {
      this.sent = true;
      process.kill(process.pid, this.signal);
    }
  }
}

test('a signal is honoured at the next batch boundary, not batches later', async () => {
  await initTrainingBackend();
  setRandomSeed(3);
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'visionlab-interrupt-'));
  const model = tinyCnn();
  const probe = new SignalAt(1, 'SIGUSR2');
  const lines: string[] = [];
  const log = console.log;
  console.log = (line: string) => void lines.push(line);
  try {
    const result = await fit(model, syntheticDataset({ perClass: 40, batchSize: 4 }), {
      epochs: 2,
      optimizer: makeOptimizer({ name: 'sgd', learningRate: 0.01 }),
      callbacks: [probe],
      verbose: 0,
      checkpointFile: path.join(tmp, 'ckpt.bin'),
      interruptSignals: ['SIGUSR2'],
    });
    assert.equal(result.stopReason, 'interrupted');
    assert.equal(probe.batchesAfter, 0, 'the batch in progress when the signal came was the last');
    assert.match(lines.join('\n'), /SIGUSR2: finishing the current batch/);
  } finally {
    console.log = log;
    model.dispose();
    rmSync(tmp, { recursive: true, force: true });
  }
});
