import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { initBackend } from '../../src/engine/backend.js';
import { runCli } from '../helpers/run-cli.js';

before(async () => {
  await initBackend();
});

describe('visionlab models [NAME]', () => {
  it('lists which models have pretrained weights, their top-1 and download size', async () => {
    const r = await runCli(['models']);
    assert.equal(r.code, 0, r.stderr);
    const header = r.stdout.split('\n')[0];
    assert.match(header, /pretrained +top-1 +download$/);
    // InceptionV3: 77.9% in the Keras Applications table; 21,802,784 float32 weights without the top.
    assert.match(r.stdout, /\ninception_v3 .* imagenet +77\.9% +≈87\.2 MB\n/);
    assert.match(r.stdout, /\nmobilenet_v2_nsfwjs .* nsfwjs \(bundled\) +- +offline\n/);
    assert.match(r.stdout, /\nalexnet_mini .* - +- +-\n/);
  });

  it('--json carries every declaration', async () => {
    const r = await runCli(['models', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const rows = JSON.parse(r.stdout) as Array<{
      name: string;
      pretrained: Array<{ tag: string; top1: number | null }>;
    }>;
    const byName = new Map(rows.map((row) => [row.name, row]));
    assert.deepEqual(
      byName.get('davit_t')?.pretrained.map((w) => [w.tag, w.top1]),
      [['imagenet', 82.8]],
    );
    assert.deepEqual(
      byName.get('mobilenet_v2_nsfwjs')?.pretrained.map((w) => w.tag),
      ['nsfwjs'],
    );
  });

  it('NAME tells what the family introduced, its paper and year, parameters, FLOPs, top-1 and stages', async () => {
    const r = await runCli(['models', 'resnet50']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^resnet50 — ResNet/);
    assert.match(
      r.stdout,
      /2015, He, Zhang, Ren & Sun, "Deep Residual Learning for Image Recognition", arXiv 1512\.03385/,
    );
    assert.match(r.stdout, /introduced: Residual connections/);
    assert.match(r.stdout, /parameters: 25,636,712; FLOPs 7\.76 G \(3\.88 G multiply-adds\) at 224x224x3/);
    assert.match(r.stdout, /stages: stem conv1_ .*conv2_ … conv5_/);
    assert.match(r.stdout, /pretrained "imagenet": 74\.9% ImageNet top-1/);
    assert.match(r.stdout, /md5 4d473c1dd8becc155b73f8504c6f6626/);
  });

  it('an unknown NAME fails with the known names', async () => {
    const r = await runCli(['models', 'resnet5']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no model called "resnet5"/);
  });
});
