// Opens the run store of a runs folder in its own process (which a test may run without root's file
// capabilities) and prints where the index went and which runs it lists.
import { openRunStore } from '../../src/track/index.js';

const store = await openRunStore(process.argv[2]);
console.log(JSON.stringify({ dbPath: store.dbPath, runs: store.list().map((r) => r.name) }));
store.close();
