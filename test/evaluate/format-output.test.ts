import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCsv } from '../../src/data/csv.js';
import { formatMetrics } from '../../src/evaluate/format-metrics.js';
import { formatPredictions, predictionsCsv } from '../../src/evaluate/format-predictions.js';
import { computeMetrics } from '../../src/evaluate/metrics.js';
import type { ImagePrediction } from '../../src/evaluate/predict-images.js';

const rows: ImagePrediction[] = [
  {
    source: 'a,"b".png',
    predicted: 'cat',
    confidence: 0.75,
    probabilities: { cat: 0.75, dog: 0.25 },
  },
  { source: 'broken.png', error: 'file not found' },
];

test('predictionsCsv quotes what CSV needs quoted and reads back as written', () => {
  const text = predictionsCsv(rows, ['cat', 'dog']);
  assert.equal(
    text,
    'file,predicted,confidence,cat,dog,error\n"a,""b"".png",cat,0.75,0.75,0.25,\nbroken.png,,,,,file not found\n',
  );
  assert.deepEqual(parseCsv(text)[1], ['a,"b".png', 'cat', '0.75', '0.75', '0.25', '']);
});

test('formatPredictions: one aligned line per image, its error instead of the classes when unreadable', () => {
  assert.equal(
    formatPredictions(rows, ['cat', 'dog']),
    ['a,"b".png   cat 0.7500  (cat 0.7500, dog 0.2500)', 'broken.png  error: file not found'].join('\n'),
  );
});

test('formatMetrics: the classification report and confusion matrix of a hand-computed case', () => {
  // Four images: two cats (one called dog), two dogs (both right).
  const m = computeMetrics(
    [0, 0, 1, 1],
    [
      [0.9, 0.1],
      [0.4, 0.6],
      [0.2, 0.8],
      [0.3, 0.7],
    ],
    ['cat', 'dog'],
  );
  const lines = formatMetrics(m, 'split:test', 1).split('\n');
  assert.equal(lines[0], 'evaluated 4 images (split:test), 1 unreadable skipped');
  assert.match(lines[1], /^accuracy 0\.7500 {2}log loss /);
  assert.equal(lines[3], 'class         precision  recall     f1  support');
  // cat: precision 1/1, recall 1/2, F1 2/3; dog: precision 2/3, recall 1, F1 0.8.
  assert.equal(lines[4], 'cat              1.0000  0.5000  0.6667        2');
  assert.equal(lines[5], 'dog              0.6667  1.0000  0.8000        2');
  assert.equal(lines[6], 'macro avg        0.8333  0.7500  0.7333        4');
  const matrix = lines.indexOf('confusion matrix (rows: true, columns: predicted)');
  assert.deepEqual(lines.slice(matrix + 1, matrix + 4), [
    // 12-wide name column, two spaces, then 7-wide cells.
    `${' '.repeat(14)}    cat    dog`,
    `cat${' '.repeat(11)}      1      1`,
    `dog${' '.repeat(11)}      0      2`,
  ]);
  assert.ok(lines.some((l) => l.startsWith('thresholds on p(dog)')));
});
