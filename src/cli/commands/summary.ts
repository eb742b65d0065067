import type { Command } from 'commander';
import { initBackend } from '../../engine/backend.js';
import { parseBuildOptions, parsePositiveInt, type BuildOptionsText } from '../../flags/index.js';
import { summary } from '../../models/summary.js';
import { modelCode } from '../../export/model-code.js';
import { loadOrBuildModel } from '../../train/load-or-build-model.js';

export function registerSummary(program: Command): void {
  program
    .command('summary')
    .description(
      'print the Keras-style summary of a zoo model (layers, shapes, parameters, connections, FLOPs)',
    )
    .argument('<name>', 'model name (see `visionlab models`), or a saved model folder / model.json')
    .option('--input-shape <h,w,c>', 'input shape, e.g. 280,280,3')
    .option('--classes <n>', 'classes of the top; 0 for the headless backbone')
    .option('--pooling <avg|max|none>', 'pooling of the headless backbone')
    .option('--classifier-activation <softmax|sigmoid|linear>', 'activation of the classifier')
    .option('--auxiliary', 'include auxiliary classifiers (GoogLeNet training model)')
    .option('--line-length <n>', 'width of the table')
    .option('--json', 'print one JSON object')
    .option(
      '--as <pytorch|keras>',
      'print the model as source code instead: a PyTorch nn.Module or Keras functional code',
    )
    .action(
      async (
        name: string,
        flags: BuildOptionsText & { json?: boolean; lineLength?: string; as?: string },
      ) => {
        const options = parseBuildOptions(flags);
        const lineLength =
          flags.lineLength === undefined ? undefined : parsePositiveInt('--line-length', flags.lineLength);
        await initBackend();
        const { model, label, preprocessing } = await loadOrBuildModel(name, options);
        if (flags.as !== undefined) {
          try {
            console.log(modelCode(model, flags.as, preprocessing).trimEnd());
          } finally {
            model.dispose();
          }
          return;
        }
        const result = summary(model, lineLength);
        model.dispose();
        if (flags.json) {
          console.log(JSON.stringify({ model: label, preprocessing, ...result.json }));
        } else {
          console.log(result.text);
        }
      },
    );
}
