import type { Command } from 'commander';
import { registerInfo } from './info.js';

/** Every command of the CLI, one registration function per file. */
export const commands: Array<(program: Command) => void> = [registerInfo];
