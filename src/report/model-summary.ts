import { loadRunModel } from '../train/run-folder.js';

/** Keras-style `summary()` text of the run's saved model, or why it is unavailable. */
export async function modelSummaryText(runDir: string): Promise<{ text: string; totalParams?: number }> {
  try {
    const model = await loadRunModel(runDir);
    try {
      const lines: string[] = [];
      model.summary(110, undefined, (line?: unknown) => lines.push(String(line ?? '')));
      return { text: lines.join('\n'), totalParams: model.countParams() };
    } finally {
      model.dispose();
    }
  } catch (err) {
    return { text: `Model summary unavailable: ${(err as Error).message.split('\n')[0]}` };
  }
}
