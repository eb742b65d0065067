import type { Command } from 'commander';
import { initBackend } from '../../engine/backend.js';
import { formatModelInfo, formatModelTable, modelInfo } from '../../models/describe.js';
import { getModel, listModels } from '../../models/registry.js';

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
      console.log(opts.json ? JSON.stringify(infos, null, 2) : formatModelTable(infos));
    });
}
