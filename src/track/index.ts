export { RunStore, openRunStore, recordRun, STORE_FILE } from './run-store.js';
export type { RunStoreOptions, SyncResult } from './run-store.js';
export type { RunSummary, RunDetail, IndexedStatus } from './types.js';
export { parseHistoryCsv } from '../train/history-csv.js';
export { readRunFolder, readRunText } from './read-run-folder.js';
export type { RunFolderContents } from './read-run-folder.js';
export { isValidRunName, runDirFor } from '../train/run-folder.js';
export { listRuns } from './list-runs.js';
export { formatRunsTable } from './format-runs.js';
