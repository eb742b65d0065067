import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type * as tfl from '@tensorflow/tfjs-layers';
import { initBackend } from '../../engine/backend.js';
import { loadModelFromDir } from '../../evaluate/load-model.js';
import { parseBuildOptions, type BuildOptionsText } from '../../models/parse-options.js';
import { getModel } from '../../models/registry.js';
import { summary } from '../../models/summary.js';
import { modelCode } from '../../export/model-code.js';

/**
 * The model a command names: a saved model (a folder holding model.json, or the model.json itself)
 * or a zoo entry built without random initialisation.
 */
export async function resolveModelArgument(
  nameOrPath: string,
  flags: BuildOptionsText,
): Promise<{ model: tfl.LayersModel; label: string; preprocessing?: string }> {
  if (existsSync(nameOrPath)) {
    const dir = statSync(nameOrPath).isDirectory() ? nameOrPath : path.dirname(nameOrPath);
    const modelDir = existsSync(path.join(dir, 'model.json')) ? dir : path.join(dir, 'model');
    return { model: await loadModelFromDir(modelDir), label: nameOrPath };
  }
  const spec = getModel(nameOrPath);
  return {
    model: spec.build({ ...parseBuildOptions(flags), initializeWeights: false }),
    label: spec.name,
    preprocessing: spec.preprocessing,
  };
}

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
        await initBackend();
        const { model, label, preprocessing } = await resolveModelArgument(name, flags);
        if (flags.as !== undefined) {
          try {
            console.log(modelCode(model, flags.as, preprocessing).trimEnd());
          } finally {
            model.dispose();
          }
          return;
        }
        const result = summary(model, flags.lineLength ? Number(flags.lineLength) : undefined);
        model.dispose();
        if (flags.json) {
          console.log(JSON.stringify({ model: label, preprocessing, ...result.json }));
        } else {
          console.log(result.text);
        }
      },
    );
}
