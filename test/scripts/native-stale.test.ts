import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

const script = path.resolve('scripts/native-stale.sh');
// Any addon that loads stands in for ours: better-sqlite3's is always installed.
const loadableAddon = createRequire(import.meta.url).resolve(
  'better-sqlite3/build/Release/better_sqlite3.node',
);

function stale(root: string): { rebuild: boolean; reason: string } {
  const r = spawnSync('bash', [script, root], { encoding: 'utf8' });
  return { rebuild: r.status === 0, reason: r.stdout.trim() };
}

test('native-stale.sh asks for a rebuild when the addon is missing, older than native/, or broken', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'visionlab-native-stale-'));
  try {
    const src = path.join(root, 'native', 'src', 'conv.cc');
    const gyp = path.join(root, 'native', 'binding.gyp');
    const addon = path.join(root, 'native', 'build', 'Release', 'visionlab_native.node');
    mkdirSync(path.dirname(src), { recursive: true });
    mkdirSync(path.dirname(addon), { recursive: true });
    writeFileSync(src, '// source\n');
    writeFileSync(gyp, '{}\n');
    assert.deepEqual(stale(root), { rebuild: true, reason: 'the native addon is not built' });

    copyFileSync(loadableAddon, addon);
    const past = new Date(Date.now() - 3600_000);
    utimesSync(src, past, past);
    utimesSync(gyp, past, past);
    assert.deepEqual(stale(root), { rebuild: false, reason: '' });

    const later = new Date(Date.now() + 60_000);
    utimesSync(src, later, later);
    assert.deepEqual(stale(root), {
      rebuild: true,
      reason: 'native/src/conv.cc is newer than the native addon',
    });

    utimesSync(src, past, past);
    writeFileSync(addon, 'not a shared object');
    assert.deepEqual(stale(root), { rebuild: true, reason: 'the native addon does not load' });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
