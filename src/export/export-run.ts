import path from 'node:path';
import { readRunInputConfig } from '../evaluate/run-config.js';
import { loadRunModel } from '../train/run-folder.js';
import { EXPORT_FORMATS, exportModel, type ExportFormat } from './formats.js';

/**
 * Writes a run's trained model in `format`, with the run's preprocessing and input settings, to
 * `output` (default: `model<extension>` in the run folder); returns the files written.
 */
export async function exportRun(
  runDir: string,
  format: ExportFormat,
  options: { output?: string; includePreprocessing?: boolean } = {},
): Promise<string[]> {
  const input = await readRunInputConfig(runDir);
  const file = options.output ?? path.join(runDir, `model${EXPORT_FORMATS[format].extension}`);
  const model = await loadRunModel(runDir);
  try {
    return await exportModel(model, format, file, {
      preprocessing: input.preprocessing,
      includePreprocessing: options.includePreprocessing,
      inputConfig: input,
    });
  } finally {
    model.dispose();
  }
}
