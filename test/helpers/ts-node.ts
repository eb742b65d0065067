import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const register = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../scripts/ts-register.mjs');

/** Node flags that run a TypeScript entry point as the test runner runs the tests (scripts/ts-hooks.mjs). */
export const TS_NODE_FLAGS: readonly string[] = ['--import', pathToFileURL(register).href];
