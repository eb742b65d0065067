import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { VisionlabError } from '../../src/errors.js';
import { parseTrainConfig } from '../../src/train/config.js';
import { InProcessExecutor, type TrialExecutor, type TrialRequest } from '../../src/tune/executor.js';
import { freezeSearch } from '../../src/tune/freeze-search.js';
import { ProcessExecutor } from '../../src/tune/process-executor.js';
import { imageFolderFixture, scriptedReport, tinyTrainConfig } from './image-fixture.js';
import { SEARCH_FILE } from '../../src/tune/search-state.js';

const { tmp, data } = imageFolderFixture('visionlab-process-executor-');

const trial = (runsDir: string, id: string): TrialRequest => ({
  id,
  config: {
    ...parseTrainConfig({
      ...tinyTrainConfig(data, runsDir),
      epochs: 2,
      freezeStages: 6,
      frozenPrefixCache: true,
      checkpoint: false,
      verbose: 0,
    }),
    name: id,
  },
});

test('a trial run in a worker process reports what the same seeded trial reports in-process', async () => {
  const lines: string[] = [];
  const inWorker = await new ProcessExecutor({ log: (l) => lines.push(l) }).run(
    trial(path.join(tmp, 'runs-worker'), 't'),
  );
  const inProcess = await new InProcessExecutor().run(trial(path.join(tmp, 'runs-here'), 't'));
  assert.equal(inWorker.runDir, path.join(path.resolve(tmp, 'runs-worker'), 't'));
  assert.equal(inWorker.epochs, 2);
  assert.ok(
    lines.some((l) => l.startsWith('run folder:')),
    'the worker’s log comes back',
  );
  assert.equal(inWorker.history.length, inProcess.history.length);
  inWorker.history.forEach((h, i) => {
    const here = inProcess.history[i];
    // The same code on the same CPU: the same numbers (up to float noise between processes).
    assert.ok(Math.abs(h.valLoss - here.valLoss) <= 1e-6 * Math.abs(here.valLoss), `val_loss ${i}`);
    assert.equal(h.valAccuracy, here.valAccuracy);
  });
});

test('a crashing worker: a clear error naming the trial; the finished trials stay in search.json', async () => {
  const runs = path.join(tmp, 'runs-crash');
  let calls = 0;
  const worker = new ProcessExecutor({ onWorker: (child) => child.kill('SIGKILL') });
  // The first two trials finish (as the executor reports them), the third one's worker dies.
  const executor: TrialExecutor = {
    async run(request) {
      if (++calls > 2) return worker.run(request);
      return scriptedReport(request, 0.5);
    },
  };
  const base = trial(runs, 'unused').config;
  const error = await freezeSearch(
    { ...base, name: undefined, freezeStages: undefined },
    { budget: 1, executor, name: 'crash', log: () => {} },
  ).then(
    () => undefined,
    (err: unknown) => err,
  );
  assert.ok(error instanceof VisionlabError);
  assert.match(
    error.message,
    /^trial r0-stages1: its worker process ended by signal SIGKILL before reporting\n.*run the same search again/,
  );
  const saved = JSON.parse(await fs.readFile(path.join(runs, 'crash', SEARCH_FILE), 'utf8'));
  assert.deepEqual(Object.keys(saved.trials), ['r0-full', 'r0-stem']);
});
