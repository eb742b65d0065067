import { promises as fs, type Dirent, type Stats } from 'node:fs';
import path from 'node:path';
import type { SkippedFile } from './types.js';

/** Extensions read as images (lower case, with the dot). */
export const IMAGE_EXTENSIONS: readonly string[] = [
  '.jpg',
  '.jpeg',
  '.jpe',
  '.png',
  '.webp',
  '.gif',
  '.tif',
  '.tiff',
  '.avif',
];

const JUNK_NAMES = new Set(['thumbs.db', 'desktop.ini', '__macosx']);

/** One image file found on disk. `path` is the raw path (file names need not be valid UTF-8). */
export interface ImageFile {
  /** Printable path (invalid UTF-8 bytes shown as U+FFFD). */
  source: string;
  path: Buffer;
  size: number;
  mtimeMs: number;
}

export type { SkippedFile } from './types.js';

export interface ListOptions {
  followLinks: boolean;
}

export interface ListResult {
  files: ImageFile[];
  problems: SkippedFile[];
  /** Hidden and system files (`.DS_Store`, `Thumbs.db`, `._*`) that were ignored. */
  ignoredHidden: number;
}

export function isHiddenOrJunk(name: string): boolean {
  return name.startsWith('.') || JUNK_NAMES.has(name.toLowerCase());
}

export function hasImageExtension(name: string): boolean {
  return IMAGE_EXTENSIONS.includes(path.extname(name).toLowerCase());
}

export function joinRaw(dir: Buffer, name: Buffer): Buffer {
  return Buffer.concat([dir, Buffer.from(path.sep), name]);
}

export function display(raw: Buffer): string {
  return raw.toString('utf8');
}

function describeFsError(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ELOOP':
      return 'symlink loop';
    case 'ENOENT':
      return 'broken symlink or file removed';
    default:
      return err.message;
  }
}

/** Reads a directory's entries with raw (Buffer) names, sorted by printable name. */
export async function readDirRaw(dir: Buffer): Promise<Dirent<Buffer>[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true, encoding: 'buffer' });
  return entries.sort((a, b) =>
    display(a.name) < display(b.name) ? -1 : display(a.name) > display(b.name) ? 1 : 0,
  );
}

/** Classifies an entry, resolving symlinks when allowed: `undefined` means "skip silently". */
export async function statEntry(
  full: Buffer,
  entry: Dirent<Buffer>,
  followLinks: boolean,
): Promise<{ kind: 'file' | 'dir'; stats: Stats } | { kind: 'problem'; reason: string } | undefined> {
  try {
    if (entry.isSymbolicLink()) {
      const stats = await fs.stat(full);
      if (stats.isDirectory()) return followLinks ? { kind: 'dir', stats } : undefined;
      return stats.isFile() ? { kind: 'file', stats } : undefined;
    }
    if (entry.isDirectory()) return { kind: 'dir', stats: await fs.stat(full) };
    if (entry.isFile()) return { kind: 'file', stats: await fs.stat(full) };
    return undefined;
  } catch (err) {
    return { kind: 'problem', reason: describeFsError(err as NodeJS.ErrnoException) };
  }
}

/**
 * Every image file under `dir`, recursively, in sorted order. Hidden/system files are ignored,
 * files without an image extension are passed over (as Keras does), and unreadable folders or
 * symlink loops are reported rather than thrown. `outerFolders` (e.g. the dataset root) also count as
 * ancestors for loop detection.
 */
export async function listImageFiles(
  dir: Buffer,
  options: ListOptions,
  outerFolders: readonly Buffer[] = [],
): Promise<ListResult> {
  const result: ListResult = { files: [], problems: [], ignoredHidden: 0 };
  const ids: string[] = [];
  for (const folder of [...outerFolders, dir]) {
    const stats = await fs.stat(folder);
    ids.push(`${stats.dev}:${stats.ino}`);
  }
  await walk(dir, ids, options, result);
  return result;
}

async function walk(
  dir: Buffer,
  ancestors: string[],
  options: ListOptions,
  result: ListResult,
): Promise<void> {
  let entries: Dirent<Buffer>[];
  try {
    entries = await readDirRaw(dir);
  } catch (err) {
    result.problems.push({ source: display(dir), reason: describeFsError(err as NodeJS.ErrnoException) });
    return;
  }
  for (const entry of entries) {
    const name = display(entry.name);
    if (isHiddenOrJunk(name)) {
      result.ignoredHidden++;
      continue;
    }
    const full = joinRaw(dir, entry.name);
    const found = await statEntry(full, entry, options.followLinks);
    if (!found) continue;
    if (found.kind === 'problem') {
      if (found.reason === 'symlink loop' || hasImageExtension(name) || !entry.isSymbolicLink()) {
        result.problems.push({ source: display(full), reason: found.reason });
      }
      continue;
    }
    if (found.kind === 'dir') {
      const id = `${found.stats.dev}:${found.stats.ino}`;
      if (ancestors.includes(id)) {
        result.problems.push({
          source: display(full),
          reason: 'symlink loop (links back to a parent folder)',
        });
        continue;
      }
      await walk(full, [...ancestors, id], options, result);
      continue;
    }
    if (!hasImageExtension(name)) continue;
    result.files.push({
      source: display(full),
      path: full,
      size: found.stats.size,
      mtimeMs: found.stats.mtimeMs,
    });
  }
}
