import Database from 'better-sqlite3';
import type { EpochRecord } from '../train/types.js';
import type { RunSummary } from './types.js';

/** Bump when the tables change: an index of another version is dropped and rebuilt from the run folders. */
export const SCHEMA_VERSION = 2;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS runs (
  name TEXT PRIMARY KEY,
  dir TEXT NOT NULL,
  kind TEXT NOT NULL DEFAULT 'run',
  trials INTEGER,
  signature TEXT NOT NULL,
  status TEXT NOT NULL,
  model TEXT,
  created_at TEXT,
  started_at TEXT,
  updated_at TEXT,
  ended_at TEXT,
  duration_s REAL,
  epochs_completed INTEGER NOT NULL,
  restored_epoch INTEGER,
  best_val_accuracy REAL,
  best_val_loss REAL,
  test_accuracy REAL,
  has_model INTEGER NOT NULL,
  last_epoch_json TEXT,
  config_json TEXT,
  state_json TEXT,
  metrics_json TEXT,
  indexed_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS epochs (
  run TEXT NOT NULL REFERENCES runs(name) ON DELETE CASCADE,
  epoch INTEGER NOT NULL,
  loss REAL,
  accuracy REAL,
  val_loss REAL,
  val_accuracy REAL,
  lr REAL,
  values_json TEXT NOT NULL,
  PRIMARY KEY (run, epoch)
);
`;

export interface RunRow {
  name: string;
  dir: string;
  kind: string;
  trials: number | null;
  status: string;
  model: string | null;
  created_at: string | null;
  started_at: string | null;
  updated_at: string | null;
  ended_at: string | null;
  duration_s: number | null;
  epochs_completed: number;
  restored_epoch: number | null;
  best_val_accuracy: number | null;
  best_val_loss: number | null;
  test_accuracy: number | null;
  has_model: number;
  last_epoch_json: string | null;
  config_json: string | null;
  state_json: string | null;
  metrics_json: string | null;
}

export function parse<T>(json: string | null): T | null {
  return json === null ? null : (JSON.parse(json) as T);
}

export function toSummary(row: RunRow): RunSummary {
  return {
    name: row.name,
    dir: row.dir,
    kind: row.kind === 'search' ? 'search' : 'run',
    trials: row.trials,
    status: row.status as RunSummary['status'],
    model: row.model,
    createdAt: row.created_at,
    startedAt: row.started_at,
    updatedAt: row.updated_at,
    endedAt: row.ended_at,
    durationSeconds: row.duration_s,
    epochsCompleted: row.epochs_completed,
    restoredEpoch: row.restored_epoch,
    lastEpoch: parse<EpochRecord>(row.last_epoch_json),
    bestValAccuracy: row.best_val_accuracy,
    bestValLoss: row.best_val_loss,
    testAccuracy: row.test_accuracy,
    hasModel: row.has_model === 1,
  };
}

/** Opens the database in WAL mode (readers never block the writer), creating or upgrading the schema. */
const OPEN_TIMEOUT_MS = 10_000;

function isBusy(err: unknown): boolean {
  const code = (err as { code?: string }).code ?? '';
  return code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED');
}

/** Blocks the thread briefly: the store's API is synchronous, like better-sqlite3's. */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function initialize(db: Database.Database): void {
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  // One write transaction taken up front, so that two processes creating the schema queue on the busy
  // timeout instead of failing a read-to-write lock upgrade.
  db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version !== 0 && version !== SCHEMA_VERSION) {
      db.exec('DROP TABLE IF EXISTS epochs; DROP TABLE IF EXISTS runs;');
    }
    db.exec(SCHEMA);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}

export function openDatabase(dbPath: string): Database.Database {
  const db = new Database(dbPath, { timeout: OPEN_TIMEOUT_MS });
  const deadline = Date.now() + OPEN_TIMEOUT_MS;
  for (;;) {
    try {
      initialize(db);
      return db;
    } catch (err) {
      // Switching to WAL while another process opens the same file can report SQLITE_BUSY at once,
      // without waiting on the busy timeout: retry until the deadline.
      if (isBusy(err) && Date.now() < deadline) {
        pause(20 + Math.random() * 30);
        continue;
      }
      db.close();
      throw err;
    }
  }
}
