import { existsSync, promises as fs } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HttpError } from './http-error.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json; charset=utf-8',
};

export function contentTypeOf(file: string): string {
  return TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** The front end's folder: beside this module (copied there by the build), else the source tree's. */
export function webDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const beside = path.join(here, 'web');
  if (existsSync(path.join(beside, 'index.html'))) return beside;
  return path.resolve(here, '..', '..', '..', 'src', 'serve', 'web');
}

function packageDir(name: string): string {
  const require = createRequire(import.meta.url);
  let dir = path.dirname(require.resolve(name));
  while (!existsSync(path.join(dir, 'package.json')) || path.basename(dir) !== name) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the folder of package ${name}`);
    dir = parent;
  }
  return dir;
}

/** Browser builds served from node_modules under /vendor/, so the dashboard works offline. */
export function vendorFiles(): Record<string, string> {
  return {
    'preact.mjs': path.join(packageDir('preact'), 'dist', 'preact.module.js'),
    'preact-hooks.mjs': path.join(packageDir('preact'), 'hooks', 'dist', 'hooks.module.js'),
    'htm.mjs': path.join(packageDir('htm'), 'dist', 'htm.module.js'),
    'vega.min.js': path.join(packageDir('vega'), 'build', 'vega.min.js'),
    'vega-lite.min.js': path.join(packageDir('vega-lite'), 'build', 'vega-lite.min.js'),
  };
}

/** The files of a folder, listed once: requests are looked up in this list, never joined onto a path. */
export async function listFiles(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    if (entry.isFile()) files.set(entry.name, path.join(dir, entry.name));
  }
  return files;
}

export async function readListed(files: Map<string, string>, name: string): Promise<Buffer> {
  const file = files.get(name);
  if (!file) throw new HttpError(404, `no file ${name}`);
  return fs.readFile(file);
}
