import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { io } from '@tensorflow/tfjs-core';
import { VisionlabError } from '../errors.js';

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
    parsed = JSON.parse(await fs.readFile(jsonPath, 'utf8')) as ModelJson;
  } catch (err) {
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
  for (const group of parsed.weightsManifest ?? []) {
    weightSpecs.push(...group.weights);
    for (const shard of group.paths) {
      const shardPath = path.join(modelDir, shard);
      try {
        buffers.push(await fs.readFile(shardPath));
      } catch {
        throw new VisionlabError(
          `Weight file ${shardPath} named in ${jsonPath} is missing.`,
          'Copy the whole model/ folder.',
        );
      }
    }
  }
  const all = Buffer.concat(buffers);
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
