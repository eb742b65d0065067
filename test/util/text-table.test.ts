import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatTable } from '../../src/util/text-table.js';

test('formatTable pads each column to its widest cell, right-aligns the columns asked, trims line ends', () => {
  assert.equal(
    formatTable(
      [
        ['name', 'params', 'note'],
        ['alexnet', '1,234', ''],
        ['vgg16', '138,357,544', 'big'],
      ],
      new Set([1]),
    ),
    ['name          params  note', 'alexnet        1,234', 'vgg16    138,357,544  big'].join('\n'),
  );
});
