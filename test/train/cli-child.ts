// Runs the visionlab command line from source, as `node bin/visionlab.js` runs it from dist/.
import { main } from '../../src/cli/main.js';

process.exitCode = await main(process.argv);
