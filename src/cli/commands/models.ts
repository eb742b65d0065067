import type { Command } from 'commander';
import { initBackend } from '../../engine/backend.js';
import { listModels } from '../../models/registry.js';
import { modelStats } from '../../models/stats.js';
import { formatFlops } from '../../models/summary.js';

export function registerModels(program: Command): void {
  program
    .command('models')
    .description('list the model zoo: parameters, FLOPs at the default input, input size, preprocessing')
    .option('--json', 'print one JSON array')
    .action(async (opts: { json?: boolean }) => {
      await initBackend();
      const rows = listModels().map((spec) => {
        const stats = modelStats(spec);
        return {
          name: spec.name,
          family: spec.family,
          params: stats.params,
          flops: stats.flops,
          inputShape: spec.defaultInputShape,
          preprocessing: spec.preprocessing,
          description: spec.description,
        };
      });
      if (opts.json) {
        console.log(JSON.stringify(rows, null, 2));
        return;
      }
      const table = [
        ['name', 'family', 'parameters', 'FLOPs', 'input', 'preprocessing'],
        ...rows.map((r) => [
          r.name,
          r.family,
          r.params.toLocaleString('en-US'),
          formatFlops(r.flops),
          r.inputShape.join('x'),
          r.preprocessing,
        ]),
      ];
      const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
      const right = new Set([2, 3]);
      for (const row of table) {
        console.log(
          row
            .map((cell, i) => (right.has(i) ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
            .join('  ')
            .trimEnd(),
        );
      }
    });
}
