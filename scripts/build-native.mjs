// Builds the native addon during `npm ci`/`npm install`. A failed build never fails the install:
// visionlab then falls back to a slower backend and says so when it starts.
import { existsSync } from 'node:fs';

if (!existsSync(new URL('../native/binding.gyp', import.meta.url))) process.exit(0);
