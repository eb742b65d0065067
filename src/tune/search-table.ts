import type { FreezeSearchResult } from './freeze-search.js';

const grouped = (n: number): string => n.toLocaleString('en-US');

/** The results as a text table, one row per candidate, the best marked. */
export function formatFreezeSearchTable(result: FreezeSearchResult): string {
  const header = [
    'freeze',
    'frozen layers',
    'trainable params',
    'epochs',
    'val_loss',
    'val_accuracy',
    's/epoch',
    ...(result.ranking ? ['RGN'] : []),
  ];
  const rows = result.candidates.map((r) => [
    `${r.freeze}${r === result.best ? ' *' : ''}`,
    String(r.frozenLayers),
    grouped(r.trainableParams),
    String(r.epochs),
    r.valLoss.toFixed(4),
    r.valAccuracy.toFixed(4),
    r.secondsPerEpoch.toFixed(1),
    ...(result.ranking ? [r.rgn == null ? '–' : r.rgn.toExponential(2)] : []),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const pruned = result.ranking?.filter((r) => !r.kept) ?? [];
  return [
    line(header),
    ...rows.map(line),
    `* best: ${result.best.freeze} (lowest validation loss at the last rung)`,
    ...(pruned.length > 0
      ? [
          `pruned by Auto-RGN (‖g‖/‖w‖ of the backbone weights trained): ${pruned.map((r) => `${r.freeze} ${r.rgn == null ? '–' : r.rgn.toExponential(2)}`).join(', ')}`,
        ]
      : []),
  ].join('\n');
}
