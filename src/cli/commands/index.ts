import type { Command } from 'commander';
import { registerInfo } from './info.js';
import { registerRuns } from './runs.js';
import { registerServe } from './serve.js';

/** Every command of the CLI, one registration function per file. */
export const commands: Array<(program: Command) => void> = [registerInfo, registerRuns, registerServe];
