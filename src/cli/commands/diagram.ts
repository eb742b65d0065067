import type { Command } from 'commander';
import { initBackend } from '../../engine/backend.js';
import { plotModel } from '../../models/diagram.js';
import { parseBuildOptions, parsePositiveNumber, type BuildOptionsText } from '../../flags/index.js';
import { loadOrBuildModel } from '../../train/load-or-build-model.js';

export function registerDiagram(program: Command): void {
  program
    .command('diagram')
    .description("draw a zoo model's layer graph like Keras' plot_model (.svg, .png or .dot)")
    .argument('<name>', 'model name (see `visionlab models`), or a saved model folder / model.json')
    .requiredOption('-o, --output <file>', 'output file: .svg, .png or .dot')
    .option('--input-shape <h,w,c>', 'input shape, e.g. 280,280,3')
    .option('--classes <n>', 'classes of the top; 0 for the headless backbone')
    .option('--pooling <avg|max|none>', 'pooling of the headless backbone')
    .option('--auxiliary', 'include auxiliary classifiers (GoogLeNet training model)')
    .option('--no-shapes', 'leave out the input and output shapes')
    .option('--no-group', 'do not frame the layers of each block')
    .option('--horizontal', 'draw left to right')
    .option('--dpi <n>', 'resolution of a .png', '96')
    .action(
      async (
        name: string,
        flags: BuildOptionsText & {
          output: string;
          shapes: boolean;
          group: boolean;
          horizontal?: boolean;
          dpi: string;
        },
      ) => {
        const options = parseBuildOptions(flags);
        const dpi = parsePositiveNumber('--dpi', flags.dpi);
        await initBackend();
        const { model } = await loadOrBuildModel(name, options);
        await plotModel(model, flags.output, {
          showShapes: flags.shapes,
          groupBlocks: flags.group,
          rankdir: flags.horizontal ? 'LR' : 'TB',
          dpi,
        });
        model.dispose();
        console.log(`wrote ${flags.output}`);
      },
    );
}
