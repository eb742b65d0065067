// Builds the native addon during `npm ci`/`npm install`, offline, against the local Node headers.
// A failed or impossible build never fails the install: it prints one line and visionlab falls back
// to a slower backend, saying so when it starts.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const say = (line) => console.log(`visionlab: ${line}`);

if (!existsSync(path.join(root, 'native', 'binding.gyp'))) process.exit(0);
if (process.env.VISIONLAB_SKIP_NATIVE) {
  say('VISIONLAB_SKIP_NATIVE is set: the native backend is not built.');
  process.exit(0);
}

const INCLUDE_DIRS = [
  '/usr/include',
  '/usr/local/include',
  '/usr/include/x86_64-linux-gnu',
  '/usr/include/aarch64-linux-gnu',
];
const hasHeader = (name) => INCLUDE_DIRS.some((dir) => existsSync(path.join(dir, name)));
const missing = [];
if (!hasHeader('oneapi/dnnl/dnnl.hpp')) missing.push('oneDNN (libdnnl-dev)');
if (!hasHeader('cblas.h')) missing.push('OpenBLAS (libopenblas-dev)');
if (missing.length) {
  say(
    `${missing.join(' and ')} not found: skipping the native backend (visionlab will use wasm or cpu). ` +
      'Install with `apt-get install libdnnl-dev libopenblas-dev`, then run `npm rebuild visionlab`.',
  );
  process.exit(0);
}

function nodeGypScript() {
  try {
    return createRequire(path.join(root, 'package.json')).resolve('node-gyp/bin/node-gyp.js');
  } catch {
    return process.env.npm_config_node_gyp; // npm's bundled copy, set during lifecycle scripts
  }
}

// Headers of the running Node (e.g. Debian's /usr/include/node), so that nothing is downloaded.
function nodeDir() {
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  return existsSync(path.join(prefix, 'include', 'node', 'node_api.h')) ? prefix : undefined;
}

const script = nodeGypScript();
if (!script || !existsSync(script)) {
  say('node-gyp is not available: skipping the native backend (visionlab will use wasm or cpu).');
  process.exit(0);
}
const dir = nodeDir();
const args = [script, 'rebuild', '--directory', path.join(root, 'native'), '--jobs', 'max'];
if (dir) args.push(`--nodedir=${dir}`);
const started = Date.now();
const result = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', env: { ...process.env } });
if (result.status === 0) {
  say(`native backend built (oneDNN + OpenBLAS) in ${((Date.now() - started) / 1000).toFixed(0)} s.`);
  process.exit(0);
}
const output = `${result.stdout ?? ''}\n${result.stderr ?? ''}`;
const firstError =
  output.split('\n').find((l) => /error/i.test(l)) ?? result.error?.message ?? 'unknown error';
say(
  `building the native backend failed (${firstError.trim().slice(0, 200)}); visionlab will use wasm or cpu.`,
);
process.exit(0);
