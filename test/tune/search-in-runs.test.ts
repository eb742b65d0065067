import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { collectRuns } from '../../src/report/compare.js';
import { compareRuns } from '../../src/serve/compare-runs.js';
import { formatRunsTable } from '../../src/track/format-runs.js';
import { openRunStore } from '../../src/track/run-store.js';
import { parseTrainConfig } from '../../src/train/config.js';
import { resolveRunDir } from '../../src/train/run-folder.js';
import type { TrialExecutor } from '../../src/tune/executor.js';
import { freezeSearch } from '../../src/tune/freeze-search.js';
import { runCli } from '../helpers/run-cli.js';
import { writeRunFolder } from '../track/fixtures.js';
import { imageFolderFixture, scriptedReport, tinyTrainConfig } from './image-fixture.js';

const { tmp, data } = imageFolderFixture('visionlab-search-runs-');

/** Writes each trial's run folder as training would, with a loss that makes stages=6 the best. */
const executor: TrialExecutor = {
  async run(request) {
    const c = request.config;
    const depth = c.freezeStages ?? (c.freezeUntil !== undefined ? 9 : -1);
    const valLoss = Math.abs(depth - 6) / 10 + 0.1;
    writeRunFolder(c.runsDir, request.id, { epochs: c.epochs, state: { status: 'finished' } });
    return scriptedReport(request, valLoss);
  },
};

test('a search folder is a search in the runs list, in compare and in the dashboard’s comparison', async () => {
  const runs = path.join(tmp, 'runs');
  const config = parseTrainConfig(tinyTrainConfig(data, runs));
  const result = await freezeSearch(config, { budget: 2, executor, name: 'search', log: () => {} });
  const store = await openRunStore(runs);
  try {
    const rows = store.list();
    assert.deepEqual(
      rows.map((r) => [r.name, r.kind, r.status, r.model, r.trials]),
      [['search', 'search', 'finished', 'mobilenet_v2_nsfwjs', 10 + 5]],
      'one row, the search (its trials are inside it)',
    );
    assert.equal(rows[0].bestValLoss, 0.1);
    assert.equal(rows[0].bestValAccuracy, 0.9);
    assert.equal(rows[0].epochsCompleted, 10 * 1 + 5 * 2);
    const table = formatRunsTable(rows).split('\n');
    assert.match(table[1], /^search \(search, 15 trials\)\s+finished\s+mobilenet_v2_nsfwjs\s+20\s/);
  } finally {
    store.close();
  }
  const dir = resolveRunDir('search', runs, '', true);
  assert.equal(dir, result.dir);
  assert.throws(() => resolveRunDir('search', runs), /No run "search"/, 'only where searches are asked for');
  const compared = await collectRuns([dir]);
  assert.deepEqual(
    compared.map((r) => r.name),
    result.candidates.map((c) => `search/${path.basename(c.runDir)}`),
    'each candidate at the longest rung it reached',
  );
  assert.ok(compared.every((r) => r.status === 'finished' && r.model === 'tiny-cnn'));
  const cli = await runCli(['compare', 'search', '--runs-dir', runs, '-o', path.join(tmp, 'compare.html')]);
  assert.equal(cli.code, 0, cli.stderr);
  for (const c of result.candidates) assert.ok(cli.stdout.includes(path.basename(c.runDir)), cli.stdout);
  const dashboard = await compareRuns([dir]);
  assert.equal(dashboard.runs.length, 10);
  assert.ok(dashboard.spec, 'overlaid curves of the trials');
});
