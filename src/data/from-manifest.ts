import { promises as fs } from 'node:fs';
import path from 'node:path';
import { VisionlabError } from '../errors.js';
import { parseCsv } from './csv.js';
import { checkClasses, fileDataset, verifyFiles, type LabelledFiles } from './file-dataset.js';
import type { ImageFile, SkippedFile } from './image-files.js';
import { resolveLoadOptions, type ImageLoadOptions, type ResolvedLoadOptions } from './options.js';
import { skippedSummary, type PixelDataset } from './pixel-dataset.js';
import { stratifiedSplit } from './split.js';

export type ManifestSplit = 'training' | 'validation' | 'test';

export interface ManifestOptions extends ImageLoadOptions {
  /** Class order; default: the labels in the manifest, sorted. */
  classNames?: readonly string[];
  /** Only the rows whose split column says this (needs a split column). */
  subset?: ManifestSplit;
}

export interface ManifestSplitOptions extends ImageLoadOptions {
  classNames?: readonly string[];
  /** Used when the manifest has no split column: a stratified split with these fractions. */
  validationSplit?: number;
  testSplit?: number;
}

const SPLIT_NAMES: Record<string, ManifestSplit> = {
  train: 'training',
  training: 'training',
  val: 'validation',
  valid: 'validation',
  validation: 'validation',
  test: 'test',
  testing: 'test',
};

interface ManifestRow {
  line: number;
  file: string;
  label: string;
  split?: ManifestSplit;
}

async function readManifest(manifest: string): Promise<ManifestRow[]> {
  let text: string;
  try {
    text = await fs.readFile(manifest, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new VisionlabError(`Cannot read manifest ${manifest} (${code === 'ENOENT' ? 'not found' : code}).`);
  }
  const rows = parseCsv(text);
  const hasHeader =
    rows.length > 0 && ['path', 'file', 'filename', 'image'].includes(rows[0][0].trim().toLowerCase());
  const base = path.dirname(manifest);
  return rows.slice(hasHeader ? 1 : 0).map((fields, k) => {
    const line = k + (hasHeader ? 2 : 1);
    const [file = '', label = '', split] = fields.map((f) => f.trim());
    if (!file || !label) {
      throw new VisionlabError(
        `${manifest}, line ${line}: expected "path,label[,split]", got "${fields.join(',')}".`,
        'Every row needs an image path and a label.',
      );
    }
    let parsedSplit: ManifestSplit | undefined;
    if (split) {
      parsedSplit = SPLIT_NAMES[split.toLowerCase()];
      if (!parsedSplit) {
        throw new VisionlabError(
          `${manifest}, line ${line}: split "${split}" is not train, validation or test.`,
        );
      }
    }
    return { line, file: path.resolve(base, file), label, split: parsedSplit };
  });
}

async function indexManifest(manifest: string, options: ManifestOptions, resolved: ResolvedLoadOptions) {
  const rows = await readManifest(manifest);
  const classNames = options.classNames
    ? [...options.classNames]
    : [...new Set(rows.map((r) => r.label))].sort();
  const unknown = [...new Set(rows.map((r) => r.label).filter((l) => !classNames.includes(l)))];
  if (unknown.length > 0) {
    throw new VisionlabError(`${manifest} uses labels not in classNames: ${unknown.join(', ')}.`);
  }
  const skipped: SkippedFile[] = [];
  const kept: Array<{ row: ManifestRow; file: ImageFile }> = [];
  for (const row of rows) {
    try {
      const stats = await fs.stat(row.file);
      if (!stats.isFile()) throw Object.assign(new Error('not a file'), { code: 'EISDIR' });
      kept.push({
        row,
        file: { source: row.file, path: Buffer.from(row.file), size: stats.size, mtimeMs: stats.mtimeMs },
      });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      skipped.push({
        source: row.file,
        reason: code === 'ENOENT' ? 'file not found' : `cannot open (${code})`,
      });
    }
  }
  let indexed: LabelledFiles = {
    files: kept.map((k) => k.file),
    labels: Int32Array.from(kept, (k) => classNames.indexOf(k.row.label)),
  };
  let splits = kept.map((k) => k.row.split);
  if (resolved.verify) {
    const verified = await verifyFiles(indexed, resolved);
    const survivors = new Set(verified.files);
    splits = splits.filter((_, i) => survivors.has(indexed.files[i]));
    skipped.push(...verified.skipped);
    indexed = verified;
  }
  checkClasses(manifest, indexed.labels, classNames, resolved, skipped);
  if (skipped.length > 0) resolved.onWarning(skippedSummary(skipped));
  return { indexed, classNames, splits, skipped };
}

function indicesWhere(splits: Array<ManifestSplit | undefined>, wanted: ManifestSplit): Int32Array {
  return Int32Array.from(splits.flatMap((s, i) => (s === wanted ? [i] : [])));
}

/**
 * A dataset from a CSV manifest of `path,label[,split]` rows (an optional header row; paths relative
 * to the manifest's folder). With `subset`, only the rows of that split.
 */
export async function imageDatasetFromManifest(
  manifest: string,
  options: ManifestOptions = {},
): Promise<PixelDataset> {
  const resolved = resolveLoadOptions(options);
  const { indexed, classNames, splits, skipped } = await indexManifest(manifest, options, resolved);
  if (!options.subset) return fileDataset(indexed, classNames, resolved, skipped);
  if (splits.every((s) => s === undefined)) {
    throw new VisionlabError(
      `subset "${options.subset}" needs a split column in ${manifest}.`,
      'Add a third column: train, validation or test.',
    );
  }
  return fileDataset(indexed, classNames, resolved, skipped, indicesWhere(splits, options.subset));
}

/**
 * Train / validation / test datasets from a manifest: from its split column when it has one,
 * otherwise a stratified split with `validationSplit` and `testSplit` from `seed`. Only the training
 * set is shuffled.
 */
export async function imageDatasetSplitsFromManifest(
  manifest: string,
  options: ManifestSplitOptions = {},
): Promise<{ train: PixelDataset; validation: PixelDataset; test: PixelDataset }> {
  const resolved = resolveLoadOptions(options);
  const { indexed, classNames, splits, skipped } = await indexManifest(manifest, options, resolved);
  const make = (indices: Int32Array, shuffle = false) =>
    fileDataset(indexed, classNames, { ...resolved, shuffle }, skipped, indices);
  if (splits.some((s) => s !== undefined)) {
    const missing = splits.findIndex((s) => s === undefined);
    if (missing >= 0) {
      throw new VisionlabError(
        `${manifest}: ${indexed.files[missing].source} has no split while other rows do.`,
      );
    }
    return {
      train: make(indicesWhere(splits, 'training'), resolved.shuffle),
      validation: make(indicesWhere(splits, 'validation')),
      test: make(indicesWhere(splits, 'test')),
    };
  }
  const parts = stratifiedSplit(
    indexed.labels,
    { validation: options.validationSplit ?? 0, test: options.testSplit ?? 0 },
    resolved.seed,
  );
  return {
    train: make(parts.train, resolved.shuffle),
    validation: make(parts.validation),
    test: make(parts.test),
  };
}
