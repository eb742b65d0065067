import { promises as fs } from 'node:fs';
import path from 'node:path';

/** Total parameters of a saved layers model, from its weights manifest (no weights are loaded); null when unreadable. */
export async function countSavedParams(modelDir: string): Promise<number | null> {
  try {
    const json = JSON.parse(await fs.readFile(path.join(modelDir, 'model.json'), 'utf8')) as {
      weightsManifest?: Array<{ weights: Array<{ shape: number[] }> }>;
    };
    let total = 0;
    for (const group of json.weightsManifest ?? []) {
      for (const w of group.weights) total += w.shape.reduce((a, b) => a * b, 1);
    }
    return total;
  } catch {
    return null;
  }
}
