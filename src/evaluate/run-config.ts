import path from 'node:path';
import type { ColorMode } from '../data/types.js';
import type { Interpolation } from '../data/decode-options.js';
import { VisionlabError } from '../errors.js';
import { readRegularFile } from '../util/read-regular-file.js';
import { PREPROCESS_MODES } from '../models/preprocess.js';
import type { PreprocessMode } from '../models/types.js';

/** What evaluation and prediction need from a run's `config.json`: how its images were prepared. */
export interface RunInputConfig {
  imageSize: [number, number];
  colorMode: ColorMode;
  classNames: string[];
  /** `preprocessInput` mode; undefined when the model takes 0–255 pixels as they are. */
  preprocessing?: PreprocessMode;
  interpolation?: Interpolation;
  cropToAspectRatio?: boolean;
}

/** A labelled file of a split in `dataset.json`. */
export interface SplitFile {
  path: string;
  label: number;
}

export async function readJsonFile(file: string, what: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = (await readRegularFile(file)).toString('utf8');
  } catch (err) {
    if (err instanceof VisionlabError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new VisionlabError(
      code === 'ENOENT'
        ? `${file} does not exist.`
        : `Cannot read ${file} (${code ?? (err as Error).message}).`,
      `Is ${path.dirname(file)} a run folder written by \`visionlab train\`? It needs ${what}.`,
    );
  }
  try {
    const value: unknown = JSON.parse(text);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new VisionlabError(
    `${file} is not a JSON object.`,
    'The file is damaged; re-run training to rewrite it.',
  );
}

function preprocessingOf(value: unknown): PreprocessMode | undefined {
  if (value === undefined || value === null || value === 'none') return undefined;
  if (typeof value === 'string' && (PREPROCESS_MODES as readonly string[]).includes(value))
    return value as PreprocessMode;
  if (typeof value === 'object' && value !== null && 'mode' in value)
    return preprocessingOf((value as { mode: unknown }).mode);
  throw new VisionlabError(
    `config.json: preprocessing ${JSON.stringify(value)} is not one of ${PREPROCESS_MODES.join(', ')}.`,
  );
}

/** Reads the input settings of a run from its `config.json`. */
export async function readRunInputConfig(runDir: string): Promise<RunInputConfig> {
  const file = path.join(runDir, 'config.json');
  const config = await readJsonFile(file, 'config.json (the training configuration)');
  const size = config.imageSize;
  const classNames = config.classNames;
  if (!Array.isArray(size) || size.length !== 2 || !size.every((v) => Number.isInteger(v) && v > 0)) {
    throw new VisionlabError(`${file}: imageSize must be [height, width], got ${JSON.stringify(size)}.`);
  }
  if (
    !Array.isArray(classNames) ||
    classNames.length < 2 ||
    !classNames.every((c) => typeof c === 'string')
  ) {
    throw new VisionlabError(
      `${file}: classNames must list at least two class names, got ${JSON.stringify(classNames)}.`,
    );
  }
  const colorMode = (config.colorMode ?? 'rgb') as ColorMode;
  if (!['rgb', 'grayscale', 'rgba'].includes(colorMode)) {
    throw new VisionlabError(
      `${file}: colorMode ${JSON.stringify(colorMode)} is not rgb, grayscale or rgba.`,
    );
  }
  return {
    imageSize: [size[0], size[1]],
    colorMode,
    classNames: classNames as string[],
    preprocessing: preprocessingOf(config.preprocessing),
    interpolation:
      typeof config.interpolation === 'string' ? (config.interpolation as Interpolation) : undefined,
    cropToAspectRatio: typeof config.cropToAspectRatio === 'boolean' ? config.cropToAspectRatio : undefined,
  };
}

/** The files of one split recorded in the run's `dataset.json` (relative paths resolve against the run folder). */
export async function readSplitFiles(runDir: string, split: string): Promise<SplitFile[]> {
  const file = path.join(runDir, 'dataset.json');
  const dataset = await readJsonFile(file, 'dataset.json (the data splits)');
  const splits = (dataset.splits ?? {}) as Record<string, { files?: unknown } | undefined>;
  const files = splits[split]?.files;
  if (!Array.isArray(files) || files.length === 0) {
    throw new VisionlabError(
      `${file} lists no files for the "${split}" split.`,
      'Train with a test split (e.g. --test-split 0.1), or evaluate on a folder with --data DIR.',
    );
  }
  return files.map((entry: unknown, i) => {
    const e = entry as { path?: unknown; label?: unknown };
    if (typeof e.path !== 'string' || !Number.isInteger(e.label)) {
      throw new VisionlabError(
        `${file}: splits.${split}.files[${i}] needs a string path and an integer label.`,
      );
    }
    return { path: path.resolve(runDir, e.path), label: e.label as number };
  });
}
