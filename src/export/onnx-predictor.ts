import { readFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs-core';
import * as ort from 'onnxruntime-node';
import { VisionlabError } from '../errors.js';
import { modelInput, type ClassPredictor } from '../evaluate/inference.js';
import { outputProbabilities } from '../evaluate/probabilities.js';
import type { RunInputConfig } from '../evaluate/run-config.js';
import { PREPROCESS_MODES } from '../models/preprocess.js';
import type { PreprocessMode } from '../models/types.js';
import { ONNX_METADATA } from './onnx.js';
import { readOnnxMetadata } from './onnx-graph.js';

/** An ONNX classifier loaded in onnxruntime; `release` frees its session. */
export interface OnnxPredictor extends ClassPredictor {
  /** The run input settings stored in the file by `visionlab export`, when present. */
  inputConfig?: RunInputConfig;
  session: ort.InferenceSession;
  release(): Promise<void>;
}

/**
 * Loads an ONNX file for prediction with onnxruntime (CPU). Files written by `visionlab export` say
 * whether their graph preprocesses 0–255 pixels itself; otherwise `input.preprocessing` is applied
 * first, as for the TF.js model.
 */
export async function loadOnnxPredictor(file: string, input?: RunInputConfig): Promise<OnnxPredictor> {
  let bytes: Uint8Array;
  let session: ort.InferenceSession;
  let metadata: Record<string, string>;
  try {
    bytes = await readFile(file);
    metadata = readOnnxMetadata(bytes);
    session = await ort.InferenceSession.create(bytes);
  } catch (err) {
    throw new VisionlabError(
      `Cannot load ONNX model ${file} (${(err as Error).message.split('\n')[0]}).`,
      'Write one with `visionlab export RUN --format onnx -o model.onnx`.',
    );
  }
  const stored = metadata[ONNX_METADATA.inputConfig];
  const inputConfig = stored ? (JSON.parse(stored) as RunInputConfig) : undefined;
  const config = input ?? inputConfig;
  const inGraph = metadata[ONNX_METADATA.preprocessing];
  const graphPreprocesses = inGraph !== undefined && inGraph !== 'none';
  const mode = graphPreprocesses ? undefined : config?.preprocessing;
  if (mode && !(PREPROCESS_MODES as readonly string[]).includes(mode)) {
    throw new VisionlabError(`${file}: unknown preprocessing "${mode}".`);
  }
  const logits = (metadata[ONNX_METADATA.outputActivation] ?? 'linear') === 'linear';
  const [inputName] = session.inputNames;
  const [outputName] = session.outputNames;
  return {
    inputConfig,
    session,
    release: () => session.release(),
    async probabilities(pixels) {
      if (!config) {
        throw new VisionlabError(
          `${file} does not say its classes.`,
          'Pass the run folder whose model it is, or export it with `visionlab export RUN`.',
        );
      }
      const prepared = modelInput(pixels, mode as PreprocessMode | undefined);
      const data = (await prepared.data()) as Float32Array;
      if (prepared !== pixels) prepared.dispose();
      const result = await session.run({ [inputName]: new ort.Tensor('float32', data, pixels.shape) });
      const out = result[outputName];
      const output = tf.tensor(out.data as Float32Array, out.dims as number[]);
      try {
        return outputProbabilities(output, config.classNames.length, logits);
      } finally {
        output.dispose();
      }
    },
  };
}
