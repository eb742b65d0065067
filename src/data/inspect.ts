import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { VisionlabError } from '../errors.js';
import { mapConcurrent } from './concurrency.js';
import { DEFAULT_MAX_PIXELS } from './decode-options.js';
import { checkDecodes, ImageReadError, probeImage } from './decode-image.js';
import { indexImageDirectory } from './from-directory.js';
import { display, isHiddenOrJunk, readDirRaw, type SkippedFile } from './image-files.js';
import {
  duplicateGroups,
  inspectWarnings,
  sizeSummary,
  type InspectedFile,
  type ReadableImage,
  type SizeSummary,
} from './inspect-findings.js';
import { stratifiedSplit } from './split.js';
import { readRegularFile } from '../util/read-regular-file.js';

export interface InspectOptions {
  /** With no train/validation/test folders: the split `imageDatasetSplitsFromDirectory` would make. */
  validationSplit?: number;
  testSplit?: number;
  seed?: number;
  maxPixels?: number;
  followLinks?: boolean;
  /** Warn when the largest class has at least this many times the images of the smallest. Default 1.5. */
  imbalanceRatio?: number;
  concurrency?: number;
}

export type { InspectedFile, SizeSummary };

export interface InspectReport {
  root: string;
  /** `splits` when the folder holds train/validation/test folders, each with class folders. */
  layout: 'classes' | 'splits';
  classNames: string[];
  /** Images per class, over all splits. */
  classCounts: Record<string, number>;
  /** Images per split and class (one split, `all`, when there is no split). */
  splitCounts: Record<string, Record<string, number>>;
  totalImages: number;
  readableImages: number;
  sizes: {
    width: SizeSummary;
    height: SizeSummary;
    formats: Record<string, number>;
    /** The most frequent width×height, most frequent first (at most 5). */
    common: Array<{ width: number; height: number; count: number }>;
  } | null;
  unreadable: SkippedFile[];
  ignoredHidden: number;
  /** Groups of files with identical content. */
  duplicates: Array<{ sha256: string; files: InspectedFile[] }>;
  /** Duplicate groups whose files sit in different splits (test leakage). */
  leakage: Array<{ sha256: string; files: InspectedFile[] }>;
  /** Duplicate groups whose files carry different labels. */
  conflictingLabels: Array<{ sha256: string; files: InspectedFile[] }>;
  warnings: string[];
  /** What makes `visionlab train` refuse this data (one class, a class without readable images); empty when none. */
  problems: string[];
}

const SPLIT_FOLDERS: Record<string, string> = {
  train: 'train',
  training: 'train',
  val: 'validation',
  valid: 'validation',
  validation: 'validation',
  test: 'test',
  testing: 'test',
};

async function splitFolders(root: string): Promise<Map<string, string> | undefined> {
  const found = new Map<string, string>();
  let others = 0;
  for (const entry of await readDirRaw(Buffer.from(root))) {
    const name = display(entry.name);
    if (isHiddenOrJunk(name) || !entry.isDirectory()) continue;
    const split = SPLIT_FOLDERS[name.toLowerCase()];
    if (split) found.set(split, path.join(root, name));
    else others++;
  }
  return found.size >= 2 && others === 0 ? found : undefined;
}

/**
 * Looks over a class-per-folder tree (or a tree of train/validation/test folders of class folders):
 * class counts, image sizes, unreadable files, exact duplicates by SHA-256, duplicates across splits
 * (leakage) or across classes, and class imbalance.
 */
export async function inspectImageDirectory(
  root: string,
  options: InspectOptions = {},
): Promise<InspectReport> {
  const common = {
    labelMode: 'int' as const,
    verify: false,
    followLinks: options.followLinks,
    maxPixels: options.maxPixels,
    onWarning: () => {},
  };
  const rootStats = await fs.stat(root).catch(() => undefined);
  if (!rootStats?.isDirectory()) {
    throw new VisionlabError(
      `Folder ${root} does not exist.`,
      'Pass the folder that holds one sub-folder per class.',
    );
  }
  const splits = await splitFolders(root);
  const parts = splits ? [...splits.entries()] : [['all', root] as [string, string]];
  const files: Array<InspectedFile & { path: Buffer }> = [];
  const unreadable: SkippedFile[] = [];
  const classNames = new Set<string>();
  let ignoredHidden = 0;
  for (const [split, dir] of parts) {
    const indexed = await indexImageDirectory(dir, common);
    indexed.classNames.forEach((c) => classNames.add(c));
    unreadable.push(...indexed.skipped);
    ignoredHidden += indexed.ignoredHidden;
    indexed.files.forEach((file, i) =>
      files.push({
        source: file.source,
        path: file.path,
        className: indexed.classNames[indexed.labels[i]],
        split,
      }),
    );
  }
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  const probed = await mapConcurrent(files, options.concurrency ?? 8, async (file) => {
    try {
      const bytes = await readRegularFile(file.path);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      const meta = await probeImage(bytes, maxPixels);
      // The header alone does not show a truncated file: decode it all (small), as training would.
      await checkDecodes(bytes, maxPixels);
      return { ok: true as const, sha256, ...meta };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const reason =
        err instanceof ImageReadError
          ? err.message
          : code === 'EACCES'
            ? 'permission denied'
            : (err as Error).message;
      return { ok: false as const, reason };
    }
  });
  const readable: ReadableImage[] = [];
  probed.forEach((p, i) => {
    if (p.ok)
      readable.push({ file: files[i], sha256: p.sha256, width: p.width, height: p.height, format: p.format });
    else unreadable.push({ source: files[i].source, reason: p.reason });
  });

  if (!splits && (options.validationSplit || options.testSplit)) {
    const names = [...classNames];
    const labels = Int32Array.from(readable, (r) => names.indexOf(r.file.className));
    const assignment = stratifiedSplit(
      labels,
      { validation: options.validationSplit ?? 0, test: options.testSplit ?? 0 },
      options.seed ?? 0,
    );
    for (const [split, indices] of Object.entries(assignment))
      for (const i of indices) readable[i].file.split = split;
  }

  const classCounts: Record<string, number> = Object.fromEntries([...classNames].map((c) => [c, 0]));
  const splitCounts: Record<string, Record<string, number>> = {};
  for (const { file } of readable) {
    classCounts[file.className]++;
    const split = file.split ?? 'all';
    splitCounts[split] ??= Object.fromEntries([...classNames].map((c) => [c, 0]));
    splitCounts[split][file.className]++;
  }

  const { duplicates, leakage, conflictingLabels } = duplicateGroups(readable);
  const warnings = inspectWarnings({
    classCounts,
    unreadable: unreadable.length,
    leakage: leakage.length,
    conflictingLabels: conflictingLabels.length,
    imbalanceRatio: options.imbalanceRatio ?? 1.5,
  });

  const problems: string[] = [];
  if (classNames.size < 2) {
    problems.push(
      `only ${classNames.size === 1 ? 'one class' : 'no class'} folder: a classifier needs at least two`,
    );
  }
  const empty = Object.entries(classCounts)
    .filter(([, n]) => n === 0)
    .map(([c]) => c);
  if (empty.length > 0) problems.push(`class folder(s) with no readable image: ${empty.join(', ')}`);
  return {
    problems,
    root,
    layout: splits ? 'splits' : 'classes',
    classNames: [...classNames],
    classCounts,
    splitCounts,
    totalImages: files.length,
    readableImages: readable.length,
    sizes: sizeSummary(readable),
    unreadable,
    ignoredHidden,
    duplicates,
    leakage,
    conflictingLabels,
    warnings,
  };
}
