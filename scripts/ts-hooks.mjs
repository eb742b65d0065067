// Module hooks that run the TypeScript sources directly, for the test runner: `.ts` files are
// transpiled (TypeScript's own transpileModule, cached on disk by content) and `./x.js` imports
// from a `.ts` file find `./x.ts`. Every other module goes to Node's own loader untouched: tsx
// inspects each of them too (node_modules included), which cost ~4 s of CPU per test process.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const CACHE_DIR = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  'node_modules',
  '.cache',
  'ts-hooks',
);
const COMPILER_OPTIONS = {
  target: 'ES2022',
  module: 'ESNext',
  sourceMap: false,
  inlineSourceMap: true,
  inlineSources: false,
  esModuleInterop: true,
  useDefineForClassFields: true,
};
let ts;
let optionsKey;

function isTypeScriptSource(url) {
  return url.startsWith('file:') && url.endsWith('.ts') && !url.includes('/node_modules/');
}

/** `./x.js` (or an absolute path) from our own code, where only `x.ts` exists, as TypeScript's NodeNext imports name it. */
function typeScriptTwin(specifier, parent) {
  if (!specifier.endsWith('.js') || parent.includes('/node_modules/')) return undefined;
  if (!specifier.startsWith('.') && !specifier.startsWith('/') && !specifier.startsWith('file:'))
    return undefined;
  const js = new URL(specifier, parent);
  const twin = new URL(`${js.href.slice(0, -3)}.ts`);
  return existsSync(twin) && !existsSync(js) ? twin.href : undefined;
}

export async function resolve(specifier, context, nextResolve) {
  const parent = context.parentURL;
  const twin = parent?.startsWith('file:') ? typeScriptTwin(specifier, parent) : undefined;
  if (twin) return { url: twin, format: 'module', shortCircuit: true };
  return nextResolve(specifier, context);
}

export async function load(url, context, nextLoad) {
  if (!isTypeScriptSource(url)) return nextLoad(url, context);
  const file = fileURLToPath(url);
  const source = readFileSync(file, 'utf8');
  return { format: 'module', source: transpile(file, source), shortCircuit: true };
}

function transpile(file, source) {
  ts ??= require('typescript');
  optionsKey ??= `${ts.version}\n${JSON.stringify(COMPILER_OPTIONS)}`;
  const key = createHash('sha1')
    .update(optionsKey)
    .update('\n')
    .update(file)
    .update('\n')
    .update(source)
    .digest('hex');
  const cached = path.join(CACHE_DIR, `${key}.js`);
  if (existsSync(cached)) return readFileSync(cached, 'utf8');
  const { outputText } = ts.transpileModule(source, {
    fileName: file,
    compilerOptions: {
      ...COMPILER_OPTIONS,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
    },
  });
  try {
    mkdirSync(CACHE_DIR, { recursive: true });
    const temp = `${cached}.${process.pid}.tmp`;
    writeFileSync(temp, outputText);
    renameSync(temp, cached);
  } catch {
    // a read-only checkout (or a child held to file permissions) runs without the cache
  }
  return outputText;
}
