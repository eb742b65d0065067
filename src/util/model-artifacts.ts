import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { io } from '@tensorflow/tfjs-core';
import { VisionlabError } from '../errors.js';
import { readRegularFile } from './read-regular-file.js';

interface ModelJson {
  modelTopology?: object;
  weightsManifest?: io.WeightsManifestConfig;
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  trainingConfig?: io.TrainingConfig;
  userDefinedMetadata?: io.ModelArtifacts['userDefinedMetadata'];
}

/** Reads a TF.js layers-format folder (`model.json` + weight shards) into the artifacts `loadLayersModel` takes. */
export async function readModelArtifacts(modelDir: string): Promise<io.ModelArtifacts> {
  const jsonPath = path.join(modelDir, 'model.json');
  let parsed: ModelJson;
  try {
    parsed = JSON.parse((await readRegularFile(jsonPath)).toString('utf8')) as ModelJson;
  } catch (err) {
    if (err instanceof VisionlabError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new VisionlabError(
      code === 'ENOENT' ? `No model at ${jsonPath}.` : `Cannot read ${jsonPath}: ${(err as Error).message}`,
      'Point to a run folder whose training finished (it holds model/model.json), or train one with `visionlab train`.',
    );
  }
  if (!parsed.modelTopology) {
    throw new VisionlabError(`${jsonPath} has no modelTopology: it is not a TF.js layers model.`);
  }
  const weightSpecs: io.WeightsManifestEntry[] = [];
  const buffers: Buffer[] = [];
  const realDir = await fs.realpath(modelDir);
  for (const group of parsed.weightsManifest ?? []) {
    weightSpecs.push(...group.weights);
    for (const shard of group.paths) {
      const shardPath = await confinedShardPath(realDir, shard, jsonPath);
      try {
        buffers.push(await readRegularFile(shardPath, { noFollow: true }));
      } catch (err) {
        if (err instanceof VisionlabError) throw err;
        const code = (err as NodeJS.ErrnoException).code;
        throw new VisionlabError(
          code === 'ENOENT'
            ? `Weight file ${shardPath} named in ${jsonPath} is missing.`
            : `Cannot read weight file ${shardPath} named in ${jsonPath} (${code ?? (err as Error).message}).`,
          'Copy the whole model/ folder.',
        );
      }
    }
  }
  const all = Buffer.concat(buffers);
  const expected = expectedWeightBytes(weightSpecs);
  if (expected !== undefined && expected !== all.byteLength) {
    throw new VisionlabError(
      `The weight files of ${jsonPath} hold ${all.byteLength} bytes; its manifest needs exactly ${expected} ` +
        `(${all.byteLength < expected ? 'truncated' : 'extra data'}).`,
      'The model folder is damaged: copy it again, or re-run training to rewrite it.',
    );
  }
  return {
    modelTopology: parsed.modelTopology,
    weightSpecs,
    weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength),
    format: parsed.format,
    generatedBy: parsed.generatedBy,
    convertedBy: parsed.convertedBy ?? undefined,
    trainingConfig: parsed.trainingConfig,
    userDefinedMetadata: parsed.userDefinedMetadata,
  };
}

/** A shard path from model.json resolved inside the model folder: no absolute paths, `..` or symlinked folders. */
async function confinedShardPath(realDir: string, shard: string, jsonPath: string): Promise<string> {
  const outside = () =>
    new VisionlabError(
      `${jsonPath} names the weight file "${shard}", which is outside its folder.`,
      'Weight files must sit beside model.json; this model.json was not written by visionlab or TF.js.',
    );
  if (typeof shard !== 'string' || shard.includes('\0') || path.isAbsolute(shard)) throw outside();
  const resolved = path.resolve(realDir, shard);
  const inside = (p: string) => p.startsWith(realDir + path.sep);
  if (!inside(resolved)) throw outside();
  const parent = await fs.realpath(path.dirname(resolved)).catch(() => path.dirname(resolved));
  if (parent !== realDir && !inside(parent)) throw outside();
  return resolved;
}

const DTYPE_BYTES: Record<string, number> = {
  float32: 4,
  int32: 4,
  bool: 1,
  complex64: 8,
  uint8: 1,
  uint16: 2,
  float16: 2,
};

/** Bytes the manifest's weights occupy; undefined when a dtype has no fixed size (strings). */
function expectedWeightBytes(specs: io.WeightsManifestEntry[]): number | undefined {
  let total = 0;
  for (const spec of specs) {
    const dtype = spec.quantization?.dtype ?? spec.dtype;
    const size = DTYPE_BYTES[dtype];
    if (size === undefined) return undefined;
    total += spec.shape.reduce((a, b) => a * b, 1) * size;
  }
  return total;
}
