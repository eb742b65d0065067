import type { Command } from 'commander';
import { initBackend } from '../../engine/backend.js';
import { bestTop1, downloadSize, formatModelInfo, modelInfo, pretrainedTags } from '../../models/describe.js';
import { getModel, listModels } from '../../models/registry.js';
import { formatFlops } from '../../models/summary.js';

function printTable(table: string[][], right: Set<number>): void {
  const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
  for (const row of table) {
    console.log(
      row
        .map((cell, i) => (right.has(i) ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
        .join('  ')
        .trimEnd(),
    );
  }
}

export function registerModels(program: Command): void {
  program
    .command('models [name]')
    .description(
      'list the model zoo (parameters, FLOPs, input, preprocessing, pretrained weights, top-1, download size), or describe one model',
    )
    .option('--json', 'print JSON (an array, or one object with a name)')
    .action(async (name: string | undefined, opts: { json?: boolean }) => {
      await initBackend();
      if (name) {
        const info = modelInfo(getModel(name));
        console.log(opts.json ? JSON.stringify(info, null, 2) : formatModelInfo(info));
        return;
      }
      const infos = listModels().map(modelInfo);
      if (opts.json) {
        console.log(JSON.stringify(infos, null, 2));
        return;
      }
      printTable(
        [
          [
            'name',
            'family',
            'parameters',
            'FLOPs',
            'input',
            'preprocessing',
            'pretrained',
            'top-1',
            'download',
          ],
          ...infos.map((r) => [
            r.name,
            r.family,
            r.params.toLocaleString('en-US'),
            formatFlops(r.flops),
            r.inputShape.join('x'),
            r.preprocessing,
            pretrainedTags(r),
            bestTop1(r),
            downloadSize(r),
          ]),
        ],
        new Set([2, 3, 7, 8]),
      );
    });
}
