import type { LayersModel } from '@tensorflow/tfjs-layers';
import { promises as fs } from 'node:fs';
import { initBackend } from '../engine/backend.js';
import { VisionlabError } from '../errors.js';
import type { RunInputConfig } from '../evaluate/run-config.js';
import type { PreprocessMode } from '../models/types.js';
import { loadRunModel, runFile } from '../train/run-folder.js';
import { HttpError } from './http-error.js';

export interface ClassProbability {
  label: string;
  probability: number;
}

/** What the predict endpoint answers. */
export interface RunPredictResult {
  run: string;
  /** Every class with its probability, most likely first. */
  predictions: ClassProbability[];
  inputShape: [number, number, number];
  preprocessing: PreprocessMode | 'none';
  /** The image as the model saw it beside its Grad-CAM heatmap for the top class (PNG data URL), for CNNs. */
  gradCam?: string;
  gradCamLayer?: string;
  /** Why there is no Grad-CAM overlay, when there is none. */
  gradCamError?: string;
}

interface LoadedModel {
  model: LayersModel;
  stamp: string;
  input: RunInputConfig;
}

/** The evaluation module pulls in the model zoo (custom layers); it loads with the first model, not at start-up. */
async function evaluation() {
  const [config, inference, overlay] = await Promise.all([
    import('../evaluate/run-config.js'),
    import('../evaluate/inference.js'),
    import('../report/grad-cam-overlay.js'),
  ]);
  return {
    readRunInputConfig: config.readRunInputConfig,
    decodeRunImage: inference.decodeRunImage,
    runImageShape: inference.runImageShape,
    inferImage: inference.inferImage,
    gradCamOverlay: overlay.gradCamOverlay,
  };
}

/** Loads run models on demand and keeps the most recent few, reloading when `model.json` changes. */
export class RunModelCache {
  private readonly models = new Map<string, LoadedModel>();
  /** Loads under way, so simultaneous first requests for a run share one model. */
  private readonly loading = new Map<string, Promise<LoadedModel>>();

  constructor(private readonly capacity = 3) {}

  private load(runName: string, runDir: string): Promise<LoadedModel> {
    const pending = this.loading.get(runName);
    if (pending) return pending;
    const promise = this.loadNow(runName, runDir).finally(() => this.loading.delete(runName));
    this.loading.set(runName, promise);
    return promise;
  }

  private async loadNow(runName: string, runDir: string): Promise<LoadedModel> {
    let stamp: string;
    try {
      const stat = await fs.stat(runFile(runDir, 'modelJson'));
      stamp = `${stat.size}:${stat.mtimeMs}`;
    } catch {
      throw new HttpError(409, `run "${runName}" has no saved model yet (model/model.json)`);
    }
    const cached = this.models.get(runName);
    if (cached && cached.stamp === stamp) {
      this.models.delete(runName);
      this.models.set(runName, cached);
      return cached;
    }
    if (cached) this.evict(runName);
    await initBackend();
    const lib = await evaluation();
    let input: RunInputConfig;
    let model: LayersModel;
    try {
      input = await lib.readRunInputConfig(runDir);
      model = await loadRunModel(runDir);
    } catch (err) {
      if (err instanceof VisionlabError) throw new HttpError(409, err.message);
      throw new HttpError(500, `the model of run "${runName}" cannot be loaded: ${(err as Error).message}`);
    }
    const loaded: LoadedModel = { model, stamp, input };
    this.models.set(runName, loaded);
    while (this.models.size > this.capacity) this.evict(this.models.keys().next().value as string);
    return loaded;
  }

  private evict(runName: string): void {
    this.models.get(runName)?.model.dispose();
    this.models.delete(runName);
  }

  /** Classifies one encoded image with the run's saved model, decoded and preprocessed as in training. */
  async predict(runName: string, runDir: string, image: Buffer): Promise<RunPredictResult> {
    const { model, input } = await this.load(runName, runDir);
    const lib = await evaluation();
    let pixels: Uint8Array;
    try {
      pixels = await lib.decodeRunImage(image, input);
    } catch (err) {
      throw new HttpError(415, `the image cannot be decoded: ${(err as Error).message}`);
    }
    let inferred;
    try {
      // Grad-CAM needs a convolutional feature map; for other models the prediction stands alone.
      inferred = await lib.inferImage(model, pixels, input, { gradCam: {} });
    } catch (err) {
      if (err instanceof VisionlabError) throw new HttpError(409, err.message);
      throw err;
    }
    const values = inferred.probabilities;
    const order = values.map((_, i) => i).sort((a, b) => values[b] - values[a]);
    const result: RunPredictResult = {
      run: runName,
      predictions: order.map((i) => ({ label: input.classNames[i], probability: values[i] })),
      inputShape: lib.runImageShape(input),
      preprocessing: input.preprocessing ?? 'none',
    };
    const cam = inferred.gradCam;
    try {
      if (!cam) throw inferred.gradCamError;
      const png = await lib.gradCamOverlay(pixels, result.inputShape, cam, {
        caption: `${input.classNames[order[0]]} (${(values[order[0]] * 100).toFixed(1)}%), layer ${cam.layerName}`,
      });
      result.gradCam = `data:image/png;base64,${png.toString('base64')}`;
      result.gradCamLayer = cam.layerName;
    } catch (err) {
      result.gradCamError = (err as Error).message;
    }
    return result;
  }

  dispose(): void {
    for (const name of [...this.models.keys()]) this.evict(name);
  }
}
