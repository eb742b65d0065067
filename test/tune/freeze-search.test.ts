import assert from 'node:assert/strict';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { parseTrainConfig } from '../../src/train/config.js';
import { InProcessExecutor, type TrialExecutor, type TrialRequest } from '../../src/tune/executor.js';
import { bestFreezeConfig, freezeSearch, gradualPhases } from '../../src/tune/freeze-search.js';
import { imageFolderFixture, scriptedReport, tinyTrainConfig } from './image-fixture.js';
import { SEARCH_FILE } from '../../src/tune/search-state.js';
import { formatFreezeSearchTable } from '../../src/tune/search-table.js';

const { tmp, data } = imageFolderFixture('visionlab-freeze-search-');

const config = (runsDir: string) =>
  parseTrainConfig({
    ...tinyTrainConfig(data, runsDir),
    freezeUntil: 3, // replaced by each candidate's own freeze point
  });

/** Pretends to train: the validation loss falls with the stages frozen, so stages=5 wins; records the requests. */
class ScriptedExecutor implements TrialExecutor {
  readonly requests: TrialRequest[] = [];
  constructor(private readonly failAt = Infinity) {}
  async run(request: TrialRequest) {
    if (this.requests.length === this.failAt) throw new Error('killed');
    this.requests.push(request);
    const c = request.config;
    const depth = c.freezeStages ?? (c.freezeUntil !== undefined ? 9 : -1);
    const valLoss = Math.abs(depth - 5) / 10 + 0.1 / c.epochs;
    return scriptedReport(request, valLoss);
  }
}

test('freeze-search: candidates from full fine-tuning to head-only, halving, the winner, the trial configs', async () => {
  const runs = path.join(tmp, 'runs-a');
  const executor = new ScriptedExecutor();
  const result = await freezeSearch(config(runs), { budget: 4, executor, name: 's1', log: () => {} });
  assert.deepEqual(
    result.candidates.map((c) => c.freeze),
    [
      'full',
      'stem',
      'stages=1',
      'stages=2',
      'stages=3',
      'stages=4',
      'stages=5',
      'stages=6',
      'stages=7',
      'head-only',
    ],
  );
  // MobileNetV2 at 32² with a Dense(1) head: every parameter trainable, then fewer with each cut.
  assert.equal(result.candidates[0].trainableParams, 2_223_872 + 1_281);
  assert.equal(result.candidates.at(-1)!.trainableParams, 1_281);
  const params = result.candidates.map((c) => c.trainableParams);
  assert.deepEqual(
    [...params].sort((a, b) => b - a),
    params,
  );
  // 10 trials of 1 epoch, the best 5 for 2, the best 3 for 4.
  assert.deepEqual(
    result.rungs.map((r) => [r.epochs, r.trials.map((t) => t.freeze)]),
    [
      [
        1,
        [
          'stages=5',
          'stages=4',
          'stages=6',
          'stages=3',
          'stages=7',
          'stages=2',
          'stages=1',
          'head-only',
          'stem',
          'full',
        ],
      ],
      [2, ['stages=5', 'stages=4', 'stages=6', 'stages=3', 'stages=7']],
      [4, ['stages=5', 'stages=4', 'stages=6']],
    ],
  );
  assert.equal(result.best.freeze, 'stages=5');
  assert.equal(result.best.epochs, 4);
  assert.equal(result.best.valLoss, 0.1 / 4);
  const trial = executor.requests.find((r) => r.id === 'r2-stages5')!;
  assert.equal(trial.config.freezeStages, 5);
  assert.equal(trial.config.freezeUntil, undefined, 'the config’s own freeze is replaced');
  assert.equal(trial.config.runsDir, path.join(path.resolve(runs), 's1'));
  assert.equal(trial.config.seed, 7);
  assert.equal(trial.config.epochs, 4);
  const headOnly = executor.requests.find((r) => r.id === 'r0-head-only')!;
  assert.equal(headOnly.config.freezeUntil, 156, 'everything before the pooling layer');
  const best = bestFreezeConfig(config(runs), result);
  assert.equal(best.freezeStages, 5);
  assert.equal(best.initialWeights, path.join(path.resolve(runs), 's1', 'r2-stages5', 'model'));
  assert.equal(best.earlyStopping?.restoreBestWeights, true);
});

test('a killed search resumes without redoing finished trials; other settings are refused', async () => {
  const runs = path.join(tmp, 'runs-b');
  await assert.rejects(
    freezeSearch(config(runs), { budget: 2, executor: new ScriptedExecutor(4), name: 's2', log: () => {} }),
    /killed/,
  );
  const saved = JSON.parse(await fs.readFile(path.join(runs, 's2', SEARCH_FILE), 'utf8'));
  assert.deepEqual(Object.keys(saved.trials), ['r0-full', 'r0-stem', 'r0-stages1', 'r0-stages2']);
  const again = new ScriptedExecutor();
  const result = await freezeSearch(config(runs), { budget: 2, executor: again, name: 's2', log: () => {} });
  assert.deepEqual(result.reused, ['r0-full', 'r0-stem', 'r0-stages1', 'r0-stages2']);
  assert.equal(again.requests.length, 10 + 5 - 4);
  assert.ok(!again.requests.some((r) => result.reused.includes(r.id)));
  assert.equal(result.best.freeze, 'stages=5');
  await assert.rejects(
    freezeSearch(config(runs), { budget: 3, executor: again, name: 's2', log: () => {} }),
    /holds a search with other settings/,
  );
});

test('the in-process executor runs a trial as a run folder and reports its last validation epoch', async () => {
  const runs = path.join(tmp, 'runs-c');
  const base = {
    ...config(runs),
    freezeUntil: undefined,
    freezeStages: 6,
    epochs: 2,
    verbose: 0 as const,
    checkpoint: false,
  };
  const report = await new InProcessExecutor().run({ id: 'trial', config: { ...base, name: 'trial' } });
  assert.equal(report.runDir, path.join(path.resolve(runs), 'trial'));
  assert.ok(existsSync(path.join(report.runDir, 'model', 'model.json')));
  const csv = (await fs.readFile(path.join(report.runDir, 'history.csv'), 'utf8')).trim().split('\n');
  const header = csv[0].split(',');
  const last = csv[csv.length - 1].split(',');
  assert.equal(report.epochs, 2);
  assert.equal(report.valLoss, Number(last[header.indexOf('val_loss')]));
  assert.equal(report.valAccuracy, Number(last[header.indexOf('val_accuracy')]));
  assert.ok(report.secondsPerEpoch > 0);
});

test('lp-ft: one shared linear probe per rung, then each candidate fine-tunes from its weights', async () => {
  const runs = path.join(tmp, 'runs-d');
  const executor = new ScriptedExecutor();
  const result = await freezeSearch(config(runs), {
    budget: 2,
    executor,
    name: 's3',
    strategy: 'lp-ft',
    log: () => {},
  });
  const ids = executor.requests.map((r) => r.id);
  assert.equal(
    ids.filter((id) => id === 'lp-e1').length,
    1,
    'the probe of rung 0 and 1 (1 epoch each) is shared',
  );
  const probe = executor.requests.find((r) => r.id === 'lp-e1')!;
  assert.equal(probe.config.freezeUntil, 156);
  const ft = executor.requests.find((r) => r.id === 'r1-stages5')!;
  assert.equal(ft.config.epochs, 2);
  assert.equal(ft.config.initialWeights, path.join(path.resolve(runs), 's3', 'lp-e1', 'model'));
  assert.equal(executor.requests.find((r) => r.id === 'r0-head-only')!.config.initialWeights, undefined);
  assert.equal(result.best.freeze, 'stages=5');
  assert.equal(result.best.epochs, 1 + 2, 'probe and fine-tune');
});

test('gradual phases: at most one per epoch, the freeze points and epochs spread evenly', () => {
  assert.deepEqual(gradualPhases(['s7', 's6', 's5'], 2), [
    { freeze: 's6', epochs: 1 },
    { freeze: 's5', epochs: 1 },
  ]);
  assert.deepEqual(gradualPhases(['s7', 's6'], 1), [{ freeze: 's6', epochs: 1 }]);
  assert.deepEqual(gradualPhases(['s7', 's6'], 5), [
    { freeze: 's7', epochs: 2 },
    { freeze: 's6', epochs: 3 },
  ]);
});

test('gradual: the shared head probe, then phases unfreezing from the head down with discriminative rates', async () => {
  const runs = path.join(tmp, 'runs-e');
  const executor = new ScriptedExecutor();
  const result = await freezeSearch(config(runs), {
    budget: 2,
    executor,
    name: 's4',
    strategy: 'gradual',
    log: () => {},
  });
  const byId = (id: string) => executor.requests.find((r) => r.id === id)!.config;
  const root = path.join(path.resolve(runs), 's4');
  // stages=5 at 2 epochs: unfreeze stage 7 and 6 in the first phase, stage 5 in the second.
  const first = byId('r1-stages5-p1');
  assert.equal(first.freezeStages, 6);
  assert.equal(first.epochs, 1);
  assert.equal(first.initialWeights, path.join(root, 'lp-e1', 'model'));
  assert.deepEqual(first.discriminativeLr, { unit: 'stages', factor: 2.6 });
  const second = byId('r1-stages5');
  assert.equal(second.freezeStages, 5);
  assert.equal(second.initialWeights, path.join(root, 'r1-stages5-p1', 'model'));
  // One epoch: straight from the probe to the freeze point (fastai's fine_tune).
  assert.equal(byId('r0-full').initialWeights, path.join(root, 'lp-e1', 'model'));
  assert.equal(byId('r0-full').freezeStages, undefined);
  assert.equal(byId('r0-head-only').discriminativeLr, undefined);
  assert.equal(result.best.freeze, 'stages=5');
  assert.equal(result.best.epochs, 1 + 2, 'probe and two phases');
  assert.equal(result.best.runDir, path.join(root, 'r1-stages5'));
});

test('rank auto-rgn: every cut scored, the better half searched with full and head-only, RGN in the rows', async () => {
  const runs = path.join(tmp, 'runs-f');
  const executor = new ScriptedExecutor();
  const result = await freezeSearch(config(runs), {
    budget: 1,
    executor,
    name: 's5',
    rank: 'auto-rgn',
    rankBatches: 2,
    log: () => {},
  });
  const ranking = result.ranking!;
  assert.equal(ranking.length, 10);
  const cuts = ranking.filter((r) => r.freeze !== 'full' && r.freeze !== 'head-only');
  assert.deepEqual(
    cuts.map((r) => r.kept),
    [true, true, true, true, false, false, false, false],
    'the better 4 of 8 cuts kept',
  );
  const scores = cuts.map((r) => r.rgn!);
  assert.ok(scores.every((x) => Number.isFinite(x) && x > 0));
  assert.deepEqual(
    [...scores].sort((a, b) => b - a),
    scores,
    'best first',
  );
  assert.equal(
    ranking.find((r) => r.freeze === 'head-only')!.rgn,
    null,
    'head-only trains no backbone weight',
  );
  const searched = new Set(executor.requests.map((r) => r.id));
  assert.equal(searched.size, 6);
  for (const r of ranking) assert.equal(searched.has(`r0-${r.freeze.replace(/=/g, '')}`), r.kept, r.freeze);
  for (const row of result.candidates) {
    assert.equal(row.rgn, ranking.find((r) => r.freeze === row.freeze)!.rgn);
  }
  const table = formatFreezeSearchTable(result).split('\n');
  assert.ok(table[0].endsWith('RGN'));
  const pruned = cuts.filter((r) => !r.kept).map((r) => `${r.freeze} ${r.rgn!.toExponential(2)}`);
  assert.equal(
    table.at(-1),
    `pruned by Auto-RGN (‖g‖/‖w‖ of the backbone weights trained): ${pruned.join(', ')}`,
  );
});

test('a trial with discriminative rates trains through DiscriminativeOptimizer: one group per trainable stage', async () => {
  const runs = path.join(tmp, 'runs-g');
  const lines: string[] = [];
  const trial = {
    ...config(runs),
    freezeUntil: undefined,
    freezeStages: 6,
    epochs: 1,
    learningRate: 0.01,
    discriminativeLr: { unit: 'stages' as const, factor: 2.6 },
    verbose: 0 as const,
    checkpoint: false,
  };
  const report = await new InProcessExecutor((l) => lines.push(l)).run({
    id: 'dlr',
    config: { ...trial, name: 'dlr' },
  });
  // Stage 7 below the head (with MobileNetV2's top); stages 1–6 and the stem are frozen.
  assert.ok(
    lines.includes('discriminative learning rates: 2 groups, ÷2.6 per stage below the head'),
    lines.join('\n'),
  );
  assert.ok(Number.isFinite(report.valLoss));
});
