import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { VisionlabError } from '../errors.js';
import type { KerasH5Contents } from './keras-h5-types.js';
import { readKerasH5 } from './read-keras-h5.js';

/** What a Keras 3 `.keras` file (`model.save`) holds: a zip of `config.json`, `metadata.json` and `model.weights.h5`. */
export interface KerasArchive {
  /** The parsed `config.json`: the whole model's architecture as Keras serialises it. */
  config: Record<string, unknown>;
  kerasVersion?: string;
  weights: KerasH5Contents;
}

function parseJson(bytes: Uint8Array | undefined, file: string, entry: string): Record<string, unknown> {
  if (!bytes) {
    throw new VisionlabError(
      `${file} has no ${entry}: it is not a Keras 3 .keras file.`,
      'Save the model with Keras 3 `model.save("name.keras")`.',
    );
  }
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new VisionlabError(`${file}: ${entry} is not valid JSON (${(err as Error).message}).`);
  }
}

/** Reads a `.keras` archive; its weights file is unpacked to a private temporary folder and read there. */
export async function readKerasArchive(file: string): Promise<KerasArchive> {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(new Uint8Array(await readFile(file)));
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw new VisionlabError(
      code === 'ENOENT'
        ? `Model file ${file} does not exist.`
        : `${file} is not a readable .keras (zip) file (${(err as Error).message}).`,
      'Check the path, or save the model again with Keras 3 `model.save("name.keras")`.',
    );
  }
  const config = parseJson(entries['config.json'], file, 'config.json');
  const metadata = entries['metadata.json'] ? parseJson(entries['metadata.json'], file, 'metadata.json') : {};
  const weightsBytes = entries['model.weights.h5'];
  if (!weightsBytes) {
    throw new VisionlabError(`${file} holds no model.weights.h5.`, 'Save the model with its weights.');
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'visionlab-keras-'));
  try {
    const weightsFile = path.join(dir, 'model.weights.h5');
    await writeFile(weightsFile, weightsBytes);
    const weights = await readKerasH5(weightsFile, `${file} (model.weights.h5)`);
    const kerasVersion = typeof metadata.keras_version === 'string' ? metadata.keras_version : undefined;
    return { config, weights, ...(kerasVersion ? { kerasVersion } : {}) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
