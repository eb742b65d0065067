import { VisionlabError } from '../errors.js';
import { mapConcurrent } from './concurrency.js';
import { channelsOf } from './decode-options.js';
import { ImageReadError, probeImage } from './decode-image.js';
import { ImageCache } from './image-cache.js';
import type { ImageFile, SkippedFile } from './image-files.js';
import { loadImageFile, probeInput } from './load-image-file.js';
import { batchingOf, type ResolvedLoadOptions } from './options.js';
import { PixelDataset, skippedSummary } from './pixel-dataset.js';

export interface LabelledFiles {
  files: ImageFile[];
  labels: Int32Array;
}

/** Loads the pixels of one file (disk cache, else decode). */
export function fileLoader(resolved: ResolvedLoadOptions): (file: ImageFile) => Promise<Uint8Array> {
  const { spec, cacheDir, decodeMemory } = resolved;
  return (file) => loadImageFile(file, spec, cacheDir, decodeMemory);
}

/**
 * Reads every file's header (files already in the disk cache are trusted) and drops the unreadable
 * ones: empty, not an image, corrupt header, over the pixel limit, no permission.
 */
export async function verifyFiles(
  input: LabelledFiles,
  resolved: ResolvedLoadOptions,
): Promise<LabelledFiles & { skipped: SkippedFile[] }> {
  const cache = resolved.cacheDir ? new ImageCache(resolved.cacheDir) : undefined;
  const reasons = await mapConcurrent(input.files, 16, async (file) => {
    if (cache && (await cache.has(cache.keyFor(file, resolved.spec)))) return undefined;
    try {
      await probeImage(await probeInput(file), resolved.spec.maxPixels);
      return undefined;
    } catch (err) {
      if (err instanceof ImageReadError) return err.message;
      throw err;
    }
  });
  const keep = reasons.map((reason) => reason === undefined);
  return {
    files: input.files.filter((_, i) => keep[i]),
    labels: input.labels.filter((_, i) => keep[i]),
    skipped: input.files.flatMap((file, i) =>
      keep[i] ? [] : [{ source: file.source, reason: reasons[i]! }],
    ),
  };
}

/** Fails before training when the images left cannot make a classification dataset. */
export function checkClasses(
  where: string,
  labels: Int32Array,
  classNames: readonly string[],
  resolved: ResolvedLoadOptions,
  skipped: readonly SkippedFile[],
): void {
  const skippedNote = skipped.length > 0 ? `\n${skippedSummary(skipped)}` : '';
  if (labels.length === 0) {
    throw new VisionlabError(
      `No readable images in ${where}.${skippedNote}`,
      'Put images (.jpg, .png, .webp, .gif, .tif, .avif) in one sub-folder per class.',
    );
  }
  if (resolved.labelMode === 'none') return;
  if (classNames.length < 2) {
    throw new VisionlabError(
      `Only one class (${classNames[0] ?? 'none'}) in ${where}: a classifier needs at least two.`,
      'Add a sub-folder of images for every class, e.g. normal/ and damaged/.',
    );
  }
  const counts = new Array<number>(classNames.length).fill(0);
  for (const label of labels) counts[label]++;
  const empty = classNames.filter((_, c) => counts[c] === 0);
  if (empty.length > 0) {
    throw new VisionlabError(
      `Class folder(s) ${empty.map((name) => `"${name}"`).join(', ')} in ${where} have no readable images.${skippedNote}`,
      'Add images to them or remove the folders.',
    );
  }
  if (resolved.labelMode === 'binary' && classNames.length !== 2) {
    throw new VisionlabError(
      `labelMode "binary" needs exactly 2 classes, but ${where} has ${classNames.length}: ${classNames.join(', ')}.`,
      'Use labelMode "categorical" or "int" for more than two classes.',
    );
  }
}

/** A dataset over the files at `indices` (all when omitted). */
export function fileDataset(
  input: LabelledFiles,
  classNames: readonly string[],
  resolved: ResolvedLoadOptions,
  skipped: readonly SkippedFile[],
  indices?: Int32Array,
): PixelDataset {
  const pick = indices ?? Int32Array.from({ length: input.files.length }, (_, i) => i);
  const files = Array.from(pick, (i) => input.files[i]);
  const load = fileLoader(resolved);
  const { spec } = resolved;
  return new PixelDataset({
    classNames,
    imageShape: [spec.height, spec.width, channelsOf(spec.colorMode)],
    labels: Int32Array.from(pick, (i) => input.labels[i]),
    sources: files.map((file) => file.source),
    ...batchingOf(resolved),
    memoryCacheBytes: resolved.memoryCacheBytes,
    memoryBudget: resolved.memoryBudget,
    load: (index) => load(files[index]),
    skipped,
  });
}
