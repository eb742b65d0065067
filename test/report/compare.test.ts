import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { buildCompareHtml, collectRuns, overlaidCurvesSpec } from '../../src/report/compare.js';
import { initBackend } from '../../src/engine/backend.js';
import { makeFakeRun, type FakeRun } from '../evaluate/fixtures/fake-run.js';

let a: FakeRun;
let b: FakeRun;
before(async () => {
  await initBackend();
  a = await makeFakeRun({ name: 'run-a' });
  b = await makeFakeRun({ output: 'sigmoid', name: 'run-b' });
  // Run b: a longer run with a better validation loss and a test evaluation.
  await fs.writeFile(
    path.join(b.dir, 'history.csv'),
    'epoch,loss,accuracy,val_loss,val_accuracy,lr\n1,0.6,0.6,0.5,0.6,0.01\n2,0.4,0.8,0.35,0.8,0.01\n3,0.3,0.85,0.3,0.85,0.01\n4,0.2,0.9,0.32,0.8,0.01\n',
  );
  await fs.writeFile(
    path.join(b.dir, 'metrics.json'),
    JSON.stringify({ accuracy: 0.9, logLoss: 0.25, rocAuc: 0.95, macro: { f1: 0.88 } }),
  );
});
after(async () => {
  await a.cleanup();
  await b.cleanup();
});

test('collectRuns reads parameters from the weights manifest, epochs, best validation values and test metrics', async () => {
  const [ra, rb] = await collectRuns([a.dir, b.dir]);
  // conv 3·3·3·2 + 2 = 56; softmax head 2·2 + 2 = 6, sigmoid head 2·1 + 1 = 3.
  assert.equal(ra.params, 62);
  assert.equal(rb.params, 59);
  assert.equal(ra.epochs, 3);
  assert.equal(ra.bestValLoss, 0.41);
  assert.equal(rb.bestValLoss, 0.3);
  assert.equal(rb.bestValAccuracy, 0.85);
  assert.equal(ra.testAccuracy, null, 'run a was never evaluated');
  assert.equal(rb.testAccuracy, 0.9);
  assert.equal(rb.testMacroF1, 0.88);
  assert.equal(ra.trainingSeconds, 60);
  assert.equal(rb.history.length, 4);
});

test('the comparison page highlights the best value per row and overlays both runs', async () => {
  const runs = await collectRuns([a.dir, b.dir]);
  const html = await buildCompareHtml(runs);
  assert.match(html, /<b>best validation loss<\/b><\/td><td>0\.4100<\/td><td class="best">0\.3000<\/td>/);
  assert.match(
    html,
    /<b>parameters<\/b><\/td><td>62<\/td><td>59<\/td>/,
    'no highlight on rows without a direction',
  );
  assert.match(
    html,
    /<b>test accuracy<\/b><\/td><td>–<\/td><td>0\.9000<\/td>/,
    'one value: nothing to compare',
  );
  assert.match(html, /<img class="chart" alt="overlaid training curves" src="data:image\/svg\+xml;base64,/);
  const spec = overlaidCurvesSpec(runs) as unknown as {
    hconcat: Array<{ data: { values: Array<{ run: string; split: string }> } }>;
  };
  const loss = spec.hconcat[0].data.values;
  assert.equal(loss.filter((p) => p.run === 'run-a' && p.split === 'validation').length, 3);
  assert.equal(loss.filter((p) => p.run === 'run-b' && p.split === 'train').length, 4);
});

test('compare shows input size, pretrained weights and freezing, and compares the main output loss of GoogLeNet', async () => {
  const g = await makeFakeRun({ name: 'googlenet-like' });
  try {
    // total loss = main + 0.3 · (aux1 + aux2): 0.5 + 0.3 · 1.4 = 0.92 at epoch 2 on validation
    await fs.writeFile(
      path.join(g.dir, 'history.csv'),
      'epoch,loss,accuracy,val_loss,val_accuracy,lr,main_loss,main_accuracy,aux1_loss,aux1_accuracy,aux2_loss,aux2_accuracy,val_main_loss,val_main_accuracy,val_aux1_loss,val_aux1_accuracy,val_aux2_loss,val_aux2_accuracy\n' +
        '1,1.4,0.6,1.3,0.6,0.01,0.8,0.6,1,0.5,1,0.5,0.7,0.6,1,0.5,1,0.5\n' +
        '2,1.0,0.7,0.92,0.7,0.01,0.6,0.7,0.7,0.6,0.7,0.6,0.5,0.7,0.7,0.6,0.7,0.6\n',
    );
    const config = JSON.parse(await fs.readFile(path.join(g.dir, 'config.json'), 'utf8')) as object;
    await fs.writeFile(
      path.join(g.dir, 'config.json'),
      JSON.stringify({
        ...config,
        inputShape: [224, 224, 3],
        pretrained: 'imagenet',
        freezeUntil: 40,
        freezeKinds: ['BatchNormalization'],
      }),
    );
    const [rg, ra] = await collectRuns([g.dir, a.dir]);
    assert.equal(
      rg.bestValLoss,
      0.5,
      "the main output's validation loss, not the total with auxiliary losses",
    );
    assert.deepEqual(
      rg.history.map((r) => r.loss),
      [0.8, 0.6],
    );
    assert.equal(rg.inputSize, '224×224×3');
    assert.equal(rg.pretrained, 'imagenet');
    assert.equal(rg.frozen, 'first 40 layers; every BatchNormalization');
    assert.equal(ra.pretrained, 'none');
    assert.equal(ra.frozen, 'none');
    const html = await buildCompareHtml([rg, ra]);
    assert.match(html, /<b>input size<\/b><\/td><td>224×224×3<\/td>/);
    assert.match(
      html,
      /<b>frozen<\/b><\/td><td>first 40 layers; every BatchNormalization<\/td><td>none<\/td>/,
    );
  } finally {
    await g.cleanup();
  }
});
