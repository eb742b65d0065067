/**
 * Which layers to freeze, measured, on real pretrained weights: nsfwjs' MobileNetV2 backbone (shipped
 * inside the nsfwjs npm package, offline) on 4 Fashion-MNIST classes, resized to 96×96. A few minutes on
 * two cores.
 *
 *   node --import tsx examples/freeze-search.ts [--per-class 100] [--size 96] [--budget 2] [--epochs 3]
 *     [--keep 3] [--runs runs/freeze-search-example]
 *
 * 1. writes the first N images of each class as PNG folders (Fashion-MNIST from `loadFashionMnist()`);
 * 2. searches the freeze point: Auto-RGN scores every stage boundary on a few batches and keeps the best
 *    `--keep` (full fine-tuning and head-only always searched), one epoch each, the better half for two
 *    (successive halving), the frozen prefix's outputs computed once per image and shared by the trials;
 *    prints the table;
 * 3. trains the chosen point, an arbitrary freeze index (the first 100 layers), head-only and full
 *    fine-tuning for the same epochs from the same weights and seed, and compares their test accuracy.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import {
  bestFreezeConfig,
  evaluateRun,
  FASHION_MNIST_CLASSES,
  formatFreezeSearchTable,
  freezeSearch,
  initBackend,
  loadFashionMnist,
  parseTrainConfig,
  trainRun,
  type TrainConfig,
} from '../src/index.js';

const { values: args } = parseArgs({
  options: {
    'per-class': { type: 'string', default: '100' },
    size: { type: 'string', default: '96' },
    keep: { type: 'string', default: '3' },
    budget: { type: 'string', default: '2' },
    epochs: { type: 'string', default: '3' },
    runs: { type: 'string', default: 'runs/freeze-search-example' },
  },
});
const perClass = Number(args['per-class']);
const runs = path.resolve(args.runs);
/** Two garments that look alike, and two that do not. */
const CLASSES = [1, 2, 4, 8]; // Trouser, Pullover, Coat, Bag

await initBackend();
const started = performance.now();

// 1. The first `perClass` training images of each class, as PNG files in one folder per class.
const data = path.join(runs, 'data');
const { train } = await loadFashionMnist({ shuffle: false, batchSize: 500 });
const written = new Map(CLASSES.map((c) => [c, 0]));
for await (const batch of train.batches(0)) {
  const pixels = (await batch.x.data()) as Uint8Array | Float32Array;
  for (let k = 0; k < batch.indices.length; k++) {
    const label = train.labels[batch.indices[k]];
    const count = written.get(label);
    if (count === undefined || count >= perClass) continue;
    const dir = path.join(data, FASHION_MNIST_CLASSES[label].replace(/\W+/g, '_'));
    mkdirSync(dir, { recursive: true });
    const image = Uint8Array.from(pixels.subarray(k * 784, (k + 1) * 784));
    await sharp(image, { raw: { width: 28, height: 28, channels: 1 } })
      .png()
      .toFile(path.join(dir, `${count}.png`));
    written.set(label, count + 1);
  }
  batch.x.dispose();
  batch.y?.dispose();
  if ([...written.values()].every((n) => n >= perClass)) break;
}
console.log(`data: ${data} (${perClass} images per class, ${CLASSES.length} classes)`);

const config: TrainConfig = parseTrainConfig({
  data,
  model: 'mobilenet_v2_nsfwjs',
  pretrained: 'nsfwjs',
  inputShape: [Number(args.size), Number(args.size), 3],
  batchSize: 32,
  learningRate: 1e-3,
  validationSplit: 0.2,
  testSplit: 0.2,
  seed: 42,
  runsDir: runs,
  epochs: Number(args.epochs),
  cacheDir: path.join(runs, 'cache'),
  verbose: 0,
  checkpoint: false,
  frozenPrefixCache: true,
});

// 2. The search.
const search = await freezeSearch(config, {
  candidates: 'stages',
  rank: 'auto-rgn',
  rankKeep: Number(args.keep),
  budget: Number(args.budget),
  name: 'search',
  log: (line) => console.log(line),
});
console.log(`\n${formatFreezeSearchTable(search)}\n`);

// 3. The chosen point against an arbitrary index, head-only and full fine-tuning, on the test split.
const headOnly = search.candidates.find((c) => c.freeze === 'head-only')!;
const full = search.candidates.find((c) => c.freeze === 'full')!;
const contenders: Array<[string, Partial<TrainConfig>]> = [
  [`chosen (${search.best.freeze})`, { ...bestFreezeConfig(config, search), initialWeights: undefined }],
  ['arbitrary (first 100 layers)', { freezeUntil: 100 }],
  ['head-only', headOnly.freezeConfig],
  ['full fine-tuning', {}],
];
const rows: string[] = [];
for (const [label, freeze] of contenders) {
  const name = label.split(' ')[0].replace(/\W/g, '');
  const result = await trainRun(
    { ...config, ...freeze, name: `compare-${name}`, earlyStopping: undefined },
    { log: () => {} },
  );
  const { metrics } = await evaluateRun(result.runDir);
  const last = result.history[result.history.length - 1];
  rows.push(
    `${label.padEnd(30)}  ${(result.freeze?.params.after ?? full.trainableParams).toLocaleString('en-US').padStart(10)}  ${last.val_accuracy.toFixed(4)}  ${metrics.accuracy.toFixed(4)}`,
  );
  console.log(rows[rows.length - 1]);
}
console.log(`\n${`trained for ${config.epochs} epochs`.padEnd(30)}   trainable  val_acc  test_acc`);
for (const r of rows) console.log(r);
const cpu = process.cpuUsage();
console.log(
  `\ntotal: ${((performance.now() - started) / 1000).toFixed(0)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(0)} s CPU`,
);
