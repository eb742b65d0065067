import { promises as fs, type Stats } from 'node:fs';
import { VisionlabError } from '../errors.js';
import { checkClasses, fileDataset, verifyFiles, type LabelledFiles } from './file-dataset.js';
import {
  display,
  isHiddenOrJunk,
  joinRaw,
  listImageFiles,
  readDirRaw,
  statEntry,
  type ImageFile,
  type SkippedFile,
} from './image-files.js';
import { resolveLoadOptions, type ImageLoadOptions, type ResolvedLoadOptions } from './options.js';
import type { PixelDataset } from './pixel-dataset.js';
import { kerasValidationSplit, stratifiedSplit } from './split.js';

export interface DirectoryOptions extends ImageLoadOptions {
  /** Class order (must name exactly the sub-folders); default: sub-folder names sorted. */
  classNames?: readonly string[];
  /** Follow symbolic links to folders (loops are detected and reported). Default false, as in Keras. */
  followLinks?: boolean;
}

export interface DirectoryDatasetOptions extends DirectoryOptions {
  /** Fraction held out for validation; needs `subset`. */
  validationSplit?: number;
  subset?: 'training' | 'validation' | 'both';
}

export interface DirectorySplitOptions extends DirectoryOptions {
  validationSplit: number;
  testSplit: number;
}

/** The files of a class-per-folder tree, after listing and header checks. */
export interface IndexedDirectory extends LabelledFiles {
  classNames: string[];
  skipped: SkippedFile[];
  ignoredHidden: number;
}

async function statDir(dir: string): Promise<Stats> {
  let stats: Stats;
  try {
    stats = await fs.stat(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new VisionlabError(
        `Folder ${dir} does not exist.`,
        'Check the path: it should hold one sub-folder per class.',
      );
    }
    throw new VisionlabError(`Cannot open folder ${dir} (${code ?? (err as Error).message}).`);
  }
  if (!stats.isDirectory()) {
    throw new VisionlabError(`${dir} is not a folder.`, 'Pass a folder that holds one sub-folder per class.');
  }
  return stats;
}

/** Sub-folders of the root; a symbolic link to a folder counts (as in Keras, whatever `followLinks` says). */
async function classFolders(root: Buffer): Promise<Map<string, Buffer>> {
  const folders = new Map<string, Buffer>();
  for (const entry of await readDirRaw(root)) {
    const name = display(entry.name);
    if (isHiddenOrJunk(name)) continue;
    const full = joinRaw(root, entry.name);
    const found = await statEntry(full, entry, true);
    if (found?.kind === 'dir') folders.set(name, full);
  }
  return folders;
}

/** Lists, labels and (unless `verify: false`) header-checks every image under a class-per-folder tree. */
export async function indexImageDirectory(
  dir: string,
  options: DirectoryOptions & { labelMode?: ImageLoadOptions['labelMode'] },
  resolved: ResolvedLoadOptions = resolveLoadOptions(options),
): Promise<IndexedDirectory> {
  await statDir(dir);
  const root = Buffer.from(dir);
  const followLinks = options.followLinks ?? false;
  let files: ImageFile[] = [];
  let labels: number[] = [];
  let classNames: string[] = [];
  const skipped: SkippedFile[] = [];
  let ignoredHidden = 0;
  if (resolved.labelMode === 'none') {
    const listed = await listImageFiles(root, { followLinks });
    files = listed.files;
    labels = files.map(() => 0);
    skipped.push(...listed.problems);
    ignoredHidden = listed.ignoredHidden;
  } else {
    const folders = await classFolders(root);
    classNames = [...folders.keys()];
    if (options.classNames) {
      const given = [...options.classNames];
      const missing = given.filter((name) => !folders.has(name));
      const extra = classNames.filter((name) => !given.includes(name));
      if (missing.length > 0 || extra.length > 0) {
        throw new VisionlabError(
          `classNames must name exactly the sub-folders of ${dir}.` +
            (missing.length ? ` Not found: ${missing.join(', ')}.` : '') +
            (extra.length ? ` Not listed: ${extra.join(', ')}.` : ''),
          `The sub-folders are: ${classNames.join(', ') || '(none)'}.`,
        );
      }
      classNames = given;
    }
    if (classNames.length === 0) {
      throw new VisionlabError(
        `${dir} has no class sub-folders.`,
        'Put the images of each class in its own sub-folder, e.g. data/normal/*.jpg and data/damaged/*.jpg.',
      );
    }
    for (const [label, name] of classNames.entries()) {
      const listed = await listImageFiles(folders.get(name)!, { followLinks }, [root]);
      files.push(...listed.files);
      labels.push(...listed.files.map(() => label));
      skipped.push(...listed.problems);
      ignoredHidden += listed.ignoredHidden;
    }
  }
  let indexed: LabelledFiles = { files, labels: Int32Array.from(labels) };
  if (resolved.verify) {
    const verified = await verifyFiles(indexed, resolved);
    skipped.push(...verified.skipped);
    indexed = verified;
  }
  return { ...indexed, classNames, skipped, ignoredHidden };
}

async function loadChecked(dir: string, options: DirectoryOptions, resolved: ResolvedLoadOptions) {
  const indexed = await indexImageDirectory(dir, options, resolved);
  checkClasses(dir, indexed.labels, indexed.classNames, resolved, indexed.skipped);
  if (indexed.skipped.length > 0) {
    const { skippedSummary } = await import('./pixel-dataset.js');
    resolved.onWarning(skippedSummary(indexed.skipped));
  }
  return indexed;
}

/**
 * Keras' `image_dataset_from_directory`: one sub-folder per class, labels from the sorted folder
 * names (or `classNames`), images decoded with sharp and resized to `imageSize`. With
 * `validationSplit` and `subset: 'both'` it returns `{ train, validation }`.
 */
export async function imageDatasetFromDirectory(
  dir: string,
  options: DirectoryDatasetOptions & { subset: 'both' },
): Promise<{ train: PixelDataset; validation: PixelDataset }>;
export async function imageDatasetFromDirectory(
  dir: string,
  options?: DirectoryDatasetOptions & { subset?: 'training' | 'validation' },
): Promise<PixelDataset>;
export async function imageDatasetFromDirectory(
  dir: string,
  options: DirectoryDatasetOptions = {},
): Promise<PixelDataset | { train: PixelDataset; validation: PixelDataset }> {
  const resolved = resolveLoadOptions(options);
  const { validationSplit, subset } = options;
  if (validationSplit !== undefined && validationSplit > 0 && !subset) {
    throw new VisionlabError(
      'validationSplit is set but subset is not.',
      'Pass subset: "training", "validation" or "both".',
    );
  }
  if (subset && !validationSplit) {
    throw new VisionlabError(`subset "${subset}" needs validationSplit (e.g. 0.2).`);
  }
  if (subset && subset !== 'both' && resolved.shuffle && !resolved.seedGiven) {
    throw new VisionlabError(
      `subset "${subset}" with shuffling needs a seed, so that the training and validation calls split the same way.`,
      'Pass the same seed (e.g. seed: 1337) to both calls, or use subset: "both".',
    );
  }
  const indexed = await loadChecked(dir, options, resolved);
  if (!subset || !validationSplit) return fileDataset(indexed, indexed.classNames, resolved, indexed.skipped);
  const split = kerasValidationSplit(indexed.files.length, validationSplit, resolved.shuffle, resolved.seed);
  const make = (indices: Int32Array) =>
    fileDataset(indexed, indexed.classNames, resolved, indexed.skipped, indices);
  if (subset === 'both') return { train: make(split.training), validation: make(split.validation) };
  return make(subset === 'training' ? split.training : split.validation);
}

/**
 * A train / validation / test split of a class-per-folder tree, stratified by class and reproducible
 * from `seed`: the same folder and seed always give the same three sets, with no file in two of them.
 * Only the training set is shuffled (when `shuffle`); validation and test keep a stable file order.
 */
export async function imageDatasetSplitsFromDirectory(
  dir: string,
  options: DirectorySplitOptions,
): Promise<{ train: PixelDataset; validation: PixelDataset; test: PixelDataset }> {
  const resolved = resolveLoadOptions(options);
  const indexed = await loadChecked(dir, options, resolved);
  const parts = stratifiedSplit(
    indexed.labels,
    { validation: options.validationSplit, test: options.testSplit },
    resolved.seed,
  );
  const make = (indices: Int32Array, shuffle = false) =>
    fileDataset(indexed, indexed.classNames, { ...resolved, shuffle }, indexed.skipped, indices);
  return {
    train: make(parts.train, resolved.shuffle),
    validation: make(parts.validation),
    test: make(parts.test),
  };
}
