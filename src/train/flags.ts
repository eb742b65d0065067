// config.ts reads option keys from here; flag parsing itself lives in src/flags/.
export { optionKey } from './option-key.js';
