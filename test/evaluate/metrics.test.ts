import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeMetrics } from '../../src/evaluate/metrics.js';
import { averagePrecision, precisionRecallCurve, rocAuc, rocCurve } from '../../src/evaluate/ranking.js';
import { bestF1Threshold, youdenThreshold } from '../../src/evaluate/thresholds.js';
import { logLoss } from '../../src/evaluate/log-loss.js';
import { argmax, confusionMatrix } from '../../src/evaluate/confusion-matrix.js';

function close(actual: number | null | undefined, expected: number, message?: string): void {
  assert.ok(actual !== null && actual !== undefined, `${message ?? 'value'} is defined`);
  assert.ok(Math.abs(actual - expected) < 1e-9, `${message ?? 'value'}: ${actual} ≠ ${expected}`);
}

// scikit-learn's documentation example: y = [0, 0, 1, 1], scores = [0.1, 0.4, 0.35, 0.8].
const binaryLabels = [0, 0, 1, 1];
const binaryScores = [0.1, 0.4, 0.35, 0.8];
const binaryProbs = binaryScores.map((p) => [1 - p, p]);

test('binary: accuracy, per-class and averaged precision/recall/F1, confusion matrix', () => {
  const m = computeMetrics(binaryLabels, binaryProbs, ['neg', 'pos']);
  // Predictions (p > 0.5): [0, 0, 0, 1].
  assert.deepEqual(m.confusionMatrix, [
    [2, 0],
    [1, 1],
  ]);
  close(m.accuracy, 0.75);
  close(m.perClass[0].precision, 2 / 3);
  close(m.perClass[0].recall, 1);
  close(m.perClass[0].f1, 0.8);
  close(m.perClass[1].precision, 1);
  close(m.perClass[1].recall, 0.5);
  close(m.perClass[1].f1, 2 / 3);
  assert.deepEqual(
    m.perClass.map((c) => c.support),
    [2, 2],
  );
  close(m.macro.precision, (2 / 3 + 1) / 2);
  close(m.macro.recall, 0.75);
  close(m.macro.f1, (0.8 + 2 / 3) / 2);
  close(m.weighted.f1, (0.8 + 2 / 3) / 2);
  close(m.logLoss, -(Math.log(0.9) + Math.log(0.6) + Math.log(0.35) + Math.log(0.8)) / 4);
});

test('binary: ROC-AUC 0.75 and average precision 0.8333 (scikit-learn documented values)', () => {
  const m = computeMetrics(binaryLabels, binaryProbs, ['neg', 'pos']);
  close(m.rocAuc, 0.75, 'roc auc');
  close(m.prAuc, 5 / 6, 'average precision');
  // Class 0's one-vs-rest scores are 1 − p: the same ranking reversed.
  close(m.perClass[0].rocAuc, 0.75);
  close(m.perClass[0].prAuc, 5 / 6);
  assert.equal(m.curves.length, 1);
  assert.equal(m.curves[0].className, 'pos');
  assert.deepEqual(
    rocCurve(
      binaryScores,
      binaryLabels.map((l) => l === 1),
    ).map((p) => [p.threshold, p.x, p.y]),
    [
      [Infinity, 0, 0],
      [0.8, 0, 0.5],
      [0.4, 0.5, 0.5],
      [0.35, 0.5, 1],
      [0.1, 1, 1],
    ],
  );
  assert.deepEqual(
    precisionRecallCurve(
      binaryScores,
      binaryLabels.map((l) => l === 1),
    ).map((p) => [p.x, p.y]),
    [
      [0.5, 1],
      [0.5, 0.5],
      [1, 2 / 3],
      [1, 0.5],
    ],
  );
});

test('binary: threshold maximising F1 and threshold maximising Youden J (higher threshold on ties)', () => {
  const m = computeMetrics(binaryLabels, binaryProbs, ['neg', 'pos']);
  assert.equal(m.thresholds?.positiveClass, 'pos');
  // F1 at thresholds 0.8, 0.4, 0.35, 0.1: 2/3, 1/2, 4/5, 2/3.
  assert.deepEqual(m.thresholds?.bestF1, { threshold: 0.35, f1: 0.8, precision: 2 / 3, recall: 1 });
  // J at the same thresholds: 0.5, 0, 0.5, 0 — tie between 0.8 and 0.35.
  assert.deepEqual(m.thresholds?.youden, { threshold: 0.8, j: 0.5, tpr: 0.5, fpr: 0 });
  assert.equal(bestF1Threshold([0.3, 0.2], [false, false]), null, 'no positive example');
  assert.equal(youdenThreshold([0.3, 0.2], [true, true]), null, 'no negative example');
});

test('tied scores count one half in ROC-AUC and form one threshold', () => {
  const positive = [false, true, false, true, true];
  const scores = [0.5, 0.5, 0.2, 0.9, 0.2];
  // Pairs (pos, neg): (.5,.5)=½ (.5,.2)=1 (.9,.5)=1 (.9,.2)=1 (.2,.5)=0 (.2,.2)=½ → 4/6.
  close(rocAuc(scores, positive), 4 / 6);
  // Thresholds .9, .5, .2: recall 1/3, 2/3, 1 at precision 1, 2/3, 3/5.
  close(averagePrecision(scores, positive), 1 / 3 + (1 / 3) * (2 / 3) + (1 / 3) * (3 / 5));
  assert.equal(rocCurve(scores, positive).length, 4);
  // Equal probabilities: argmax takes the first class, as numpy does.
  assert.equal(argmax([0.5, 0.5]), 0);
  assert.equal(argmax([0.2, 0.4, 0.4]), 1);
});

test('three classes, one never predicted: zero precision, one-vs-rest AUCs and macro averages', () => {
  const labels = [0, 0, 1, 1, 2, 2];
  const probs = [
    [0.7, 0.2, 0.1],
    [0.3, 0.6, 0.1],
    [0.2, 0.7, 0.1],
    [0.5, 0.4, 0.1],
    [0.1, 0.5, 0.4],
    [0.4, 0.3, 0.3],
  ];
  const m = computeMetrics(labels, probs, ['a', 'b', 'c']);
  assert.deepEqual(m.confusionMatrix, [
    [1, 1, 0],
    [1, 1, 0],
    [1, 1, 0],
  ]);
  close(m.accuracy, 1 / 3);
  assert.deepEqual(
    m.perClass.map((c) => [c.precision, c.recall, c.f1]),
    [
      [1 / 3, 1 / 2, 0.4],
      [1 / 3, 1 / 2, 0.4],
      [0, 0, 0],
    ],
  );
  close(m.macro.precision, 2 / 9);
  close(m.macro.recall, 1 / 3);
  close(m.macro.f1, 0.8 / 3);
  // One-vs-rest: a and b rank 6 of 8 pairs right, c all 8.
  close(m.perClass[0].rocAuc, 0.75);
  close(m.perClass[1].rocAuc, 0.75);
  close(m.perClass[2].rocAuc, 1);
  close(m.rocAuc, 2.5 / 3, 'macro roc auc');
  close(m.perClass[0].prAuc, 0.5 + 0.5 * 0.5);
  close(m.perClass[2].prAuc, 1);
  close(m.prAuc, 2.5 / 3, 'macro average precision');
  close(m.logLoss, -(2 * Math.log(0.7) + 2 * Math.log(0.3) + 2 * Math.log(0.4)) / 6);
  assert.equal(m.thresholds, undefined, 'thresholds only for binary tasks');
  assert.deepEqual(
    m.curves.map((c) => c.className),
    ['a', 'b', 'c'],
  );
});

test('a class absent from the labels: undefined AUCs are null and left out of the averages', () => {
  const m = computeMetrics(
    [0, 1],
    [
      [0.6, 0.3, 0.1],
      [0.2, 0.3, 0.5],
    ],
    ['a', 'b', 'c'],
  );
  assert.deepEqual(m.confusionMatrix, [
    [1, 0, 0],
    [0, 0, 1],
    [0, 0, 0],
  ]);
  assert.equal(m.perClass[2].support, 0);
  assert.equal(m.perClass[2].rocAuc, null);
  assert.equal(m.perClass[2].prAuc, null);
  assert.equal(m.perClass[2].precision, 0);
  close(m.perClass[0].rocAuc, 1);
  close(m.perClass[1].rocAuc, 0.5, 'tied scores 0.3 vs 0.3');
  close(m.macro.rocAuc, 0.75);
  close(m.weighted.rocAuc, 0.75);
  // Weighted by support [1, 1, 0]: precisions 1, 0, 0.
  close(m.weighted.precision, 0.5);
  close(m.macro.precision, 1 / 3);
});

test('log loss clips a zero probability of the true class at 1e-15', () => {
  close(logLoss([0], [[0, 1]]), -Math.log(1e-15));
  close(
    logLoss(
      [1, 0],
      [
        [0.2, 0.8],
        [0.5, 0.5],
      ],
    ),
    -(Math.log(0.8) + Math.log(0.5)) / 2,
  );
});

test('confusionMatrix rejects out-of-range labels and mismatched lengths', () => {
  assert.throws(() => confusionMatrix([0, 3], [0, 1], 2), /outside 0\.\.1/);
  assert.throws(() => confusionMatrix([0], [0, 1], 2), /1 labels but 2 predictions/);
  assert.throws(
    () => computeMetrics([0], [[0.5, 0.5]], ['a', 'b', 'c']),
    /row 0 has 2 probabilities for 3 classes/,
  );
});

test('stored curves are thinned to 1000 points, AUCs still use every example', () => {
  const n = 5000;
  const labels = Array.from({ length: n }, (_, i) => i % 2);
  // Positives score in (0.5, 1], negatives in [0, 0.6): 5000 distinct thresholds, overlapping classes.
  const probs = labels.map((l, i) => {
    const p = l === 1 ? 0.5 + (i / n) * 0.5 : (i / n) * 0.6;
    return [1 - p, p];
  });
  const m = computeMetrics(labels, probs, ['a', 'b']);
  assert.equal(m.curves[0].roc.length, 1000);
  assert.equal(m.curves[0].pr.length, 1000);
  assert.deepEqual(m.curves[0].roc[0], { threshold: Infinity, x: 0, y: 0 });
  assert.deepEqual(
    m.curves[0].roc[999],
    rocCurve(
      probs.map((p) => p[1]),
      labels.map((l) => l === 1),
    ).at(-1),
  );
  close(
    m.rocAuc,
    rocAuc(
      probs.map((p) => p[1]),
      labels.map((l) => l === 1),
    ) ?? Number.NaN,
  );
});
