// Runs every test/**/*.test.ts with Node's test runner (Node 20's --test does not expand globs itself).
// Arguments narrow the run to files whose path contains one of them: `npm run test:unit -- data/ train/`.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const filters = process.argv.slice(2);
const files = readdirSync('test', { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.test.ts'))
  .map((file) => path.join('test', file))
  .filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)))
  .sort();
if (files.length === 0) {
  console.error(`no test files match ${filters.join(' ')}`);
  process.exit(1);
}
// Each test file runs in its own process, so its start-up counts 108 times: the TypeScript hooks
// beside this file load the sources at a fraction of tsx's cost (see ts-hooks.mjs). Two files run at
// once: most tests keep one core busy, so this takes the suite from about 20 to 14 minutes on 2 cores.
const register = pathToFileURL(
  path.join(path.dirname(fileURLToPath(import.meta.url)), 'ts-register.mjs'),
).href;
const result = spawnSync(
  process.execPath,
  ['--import', register, '--test', '--test-concurrency=2', ...files],
  {
    stdio: 'inherit',
  },
);
process.exit(result.status ?? 1);
