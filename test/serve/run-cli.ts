// Runs the visionlab command line from source, as a separate process (used by the end-to-end training test).
import { main } from '../../src/cli/main.js';

process.exitCode = await main(process.argv);
