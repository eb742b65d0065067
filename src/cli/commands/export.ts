import path from 'node:path';
import type { Command } from 'commander';
import { initBackend } from '../../engine/backend.js';
import { readRunInputConfig } from '../../evaluate/run-config.js';
import { EXPORT_FORMATS, exportModel, parseExportFormat } from '../../export/formats.js';
import { loadRunModel, resolveRunDir } from '../../train/run-folder.js';

interface ExportFlags {
  format: string;
  output?: string;
  includePreprocessing?: boolean;
  runsDir?: string;
}

const formatHelp = Object.entries(EXPORT_FORMATS)
  .map(([name, f]) => `  ${name.padEnd(9)} ${f.extension.padEnd(12)} ${f.about}`)
  .join('\n');

export function registerExport(program: Command): void {
  program
    .command('export')
    .description("write a run's trained model for other tools (ONNX, Keras, PyTorch)")
    .argument('<run>', 'run folder, or run name inside --runs-dir')
    .requiredOption('--format <format>', `one of ${Object.keys(EXPORT_FORMATS).join(', ')}`)
    .option('-o, --output <file>', 'file to write (default: model<extension> in the run folder)')
    .option('--include-preprocessing', "onnx: the graph applies the run's preprocessing to 0–255 pixels")
    .option('--runs-dir <dir>', 'where run folders are', 'runs')
    .addHelpText('after', `\nFormats:\n${formatHelp}`)
    .action(async (run: string, flags: ExportFlags) => {
      const format = parseExportFormat(flags.format);
      const runDir = resolveRunDir(run, flags.runsDir);
      const input = await readRunInputConfig(runDir);
      const file = flags.output ?? path.join(runDir, `model${EXPORT_FORMATS[format].extension}`);
      await initBackend();
      const model = await loadRunModel(runDir);
      try {
        const written = await exportModel(model, format, file, {
          preprocessing: input.preprocessing,
          includePreprocessing: flags.includePreprocessing,
          inputConfig: input,
        });
        for (const f of written) console.log(`wrote ${f}`);
      } finally {
        model.dispose();
      }
    });
}
