import type { Command } from 'commander';
import { initBackend } from '../../engine/backend.js';
import { exportRun } from '../../export/export-run.js';
import { EXPORT_FORMATS, parseExportFormat } from '../../export/formats.js';
import { resolveRunDir } from '../../train/run-folder.js';

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
      await initBackend();
      const written = await exportRun(runDir, format, {
        output: flags.output,
        includePreprocessing: flags.includePreprocessing,
      });
      for (const f of written) console.log(`wrote ${f}`);
    });
}
