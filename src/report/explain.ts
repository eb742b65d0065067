import { promises as fs } from 'node:fs';
import path from 'node:path';
import { VisionlabError } from '../errors.js';
import { decodeRunImage, inferImage, runImageShape } from '../evaluate/inference.js';
import { readRunInputConfig } from '../evaluate/run-config.js';
import { gradCamOverlay } from './grad-cam-overlay.js';
import { loadRunModel } from '../train/run-folder.js';

export interface ExplainOptions {
  /** Class to explain; default the predicted one. */
  className?: string;
  /** Layer whose feature map is used; default the last spatial one. */
  layerName?: string;
}

export interface Explanation {
  png: Buffer;
  predicted: string;
  probabilities: Record<string, number>;
  explainedClass: string;
  layerName: string;
}

/** Grad-CAM of one image with a run's saved model, decoded and preprocessed as in training: a PNG overlay. */
export async function explainImage(
  runDir: string,
  imagePath: string,
  options: ExplainOptions = {},
): Promise<Explanation> {
  const input = await readRunInputConfig(runDir);
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(imagePath);
  } catch (err) {
    throw new VisionlabError(
      `Cannot read image ${imagePath} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`,
    );
  }
  let pixels: Uint8Array;
  try {
    pixels = await decodeRunImage(bytes, input);
  } catch (err) {
    throw new VisionlabError(`${imagePath} is not a readable image: ${(err as Error).message}.`);
  }
  const shape = runImageShape(input);
  let classIndex: number | undefined;
  if (options.className !== undefined) {
    classIndex = input.classNames.indexOf(options.className);
    if (classIndex < 0) {
      throw new VisionlabError(
        `Class "${options.className}" is not one of the run's classes.`,
        `Classes: ${input.classNames.join(', ')}.`,
      );
    }
  }
  const model = await loadRunModel(runDir);
  try {
    const {
      probabilities: p,
      predicted,
      gradCam: cam,
      gradCamError,
    } = await inferImage(model, pixels, input, {
      gradCam: { classIndex, layerName: options.layerName },
    });
    if (!cam) throw gradCamError;
    const explained = cam.classIndex;
    const caption = `${path.basename(imagePath)} · Grad-CAM for "${input.classNames[explained]}" (p=${p[explained].toFixed(3)}), predicted "${input.classNames[predicted]}" · layer ${cam.layerName}`;
    return {
      png: await gradCamOverlay(pixels, shape, cam, { caption }),
      predicted: input.classNames[predicted],
      probabilities: Object.fromEntries(input.classNames.map((c, i) => [c, p[i]])),
      explainedClass: input.classNames[explained],
      layerName: cam.layerName,
    };
  } finally {
    model.dispose();
  }
}
