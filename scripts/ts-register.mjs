// `node --import ./scripts/ts-register.mjs file.ts` runs TypeScript sources (see ts-hooks.mjs),
// with stack traces that point into the .ts files, as tsx's do.
import { register } from 'node:module';

process.setSourceMapsEnabled(true);
register('./ts-hooks.mjs', import.meta.url);
