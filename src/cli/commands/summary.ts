import type { Command } from 'commander';
import { initBackend } from '../../engine/backend.js';
import { parseBuildOptions, type BuildOptionsText } from '../../models/parse-options.js';
import { getModel } from '../../models/registry.js';
import { summary } from '../../models/summary.js';

export function registerSummary(program: Command): void {
  program
    .command('summary')
    .description(
      'print the Keras-style summary of a zoo model (layers, shapes, parameters, connections, FLOPs)',
    )
    .argument('<name>', 'model name (see `visionlab models`)')
    .option('--input-shape <h,w,c>', 'input shape, e.g. 280,280,3')
    .option('--classes <n>', 'classes of the top; 0 for the headless backbone')
    .option('--pooling <avg|max|none>', 'pooling of the headless backbone')
    .option('--classifier-activation <softmax|sigmoid|linear>', 'activation of the classifier')
    .option('--auxiliary', 'include auxiliary classifiers (GoogLeNet training model)')
    .option('--line-length <n>', 'width of the table')
    .option('--json', 'print one JSON object')
    .action(async (name: string, flags: BuildOptionsText & { json?: boolean; lineLength?: string }) => {
      await initBackend();
      const spec = getModel(name);
      const model = spec.build({ ...parseBuildOptions(flags), initializeWeights: false });
      const result = summary(model, flags.lineLength ? Number(flags.lineLength) : undefined);
      model.dispose();
      if (flags.json) {
        console.log(JSON.stringify({ model: spec.name, preprocessing: spec.preprocessing, ...result.json }));
      } else {
        console.log(result.text);
      }
    });
}
