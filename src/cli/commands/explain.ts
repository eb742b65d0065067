import type { Command } from 'commander';
import { initBackend } from '../../engine/backend.js';
import { explainImage } from '../../report/explain.js';
import { resolveRunDir } from '../../train/run-folder.js';
import { writeOutputFile } from '../../report/output-file.js';

interface ExplainFlags {
  output: string;
  class?: string;
  layer?: string;
  runsDir?: string;
  json?: boolean;
}

export function registerExplain(program: Command): void {
  program
    .command('explain')
    .description('Grad-CAM: overlay on the image where a convolutional model looks for its prediction')
    .argument('<run>', 'run folder, or run name inside --runs-dir')
    .argument('<image>', 'image file')
    .option('-o, --output <file>', 'PNG to write', 'gradcam.png')
    .option('--class <name>', 'class to explain (default: the predicted class)')
    .option('--layer <name>', 'layer whose feature map is used (default: the last convolutional one)')
    .option('--runs-dir <dir>', 'where run folders are', 'runs')
    .option('--json', 'print the prediction as JSON')
    .action(async (run: string, image: string, flags: ExplainFlags) => {
      const runDir = resolveRunDir(run, flags.runsDir);
      await initBackend();
      const result = await explainImage(runDir, image, { className: flags.class, layerName: flags.layer });
      await writeOutputFile(flags.output, result.png);
      const { png: _png, ...summary } = result;
      if (flags.json) {
        console.log(JSON.stringify({ image, output: flags.output, ...summary }, null, 2));
        return;
      }
      const probs = Object.entries(result.probabilities)
        .map(([c, p]) => `${c} ${p.toFixed(4)}`)
        .join(', ');
      console.log(`predicted ${result.predicted} (${probs})`);
      console.log(
        `Grad-CAM for "${result.explainedClass}" on layer ${result.layerName} written to ${flags.output}`,
      );
    });
}
