import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { mkdirSync, promises as fs, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { EpochRecord, RunState } from '../train/types.js';
import { VisionlabError } from '../errors.js';
import { readRunFolder, folderSignature, type RunFolderContents } from './read-run-folder.js';
import { isValidRunName } from '../train/run-folder.js';
import { summarize } from './summarize.js';
import { openDatabase, parse, toSummary, type RunRow } from './store-schema.js';
import type { RunDetail, RunSummary } from './types.js';

/** The index lives beside the runs it indexes; the leading dot keeps it out of the runs list. */
export const STORE_FILE = '.visionlab-runs.db';

export interface SyncResult {
  /** Runs (re)indexed because their files changed. */
  updated: string[];
  /** Runs dropped because their folder is gone. */
  removed: string[];
}

export interface RunStoreOptions {
  /** Where the SQLite file lives; default `<runsDir>/.visionlab-runs.db`. */
  dbPath?: string;
}

/** Errors that mean the index cannot be written where it is: read-only folder or file, full disk. */
function cannotWrite(err: unknown): boolean {
  const code = (err as { code?: string }).code ?? '';
  return (
    /^SQLITE_(CANTOPEN|READONLY|IOERR|FULL|PERM)/.test(code) ||
    ['EACCES', 'EPERM', 'EROFS', 'ENOSPC'].includes(code)
  );
}

/** The per-user cache location of the index of `runsDir`, used when the runs folder is read-only. */
export function cacheStorePath(runsDir: string): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  const key = createHash('sha256').update(path.resolve(runsDir)).digest('hex').slice(0, 16);
  return path.join(base, 'visionlab', `runs-${key}.db`);
}

function openAt(dbPath: string): Database.Database {
  try {
    return openDatabase(dbPath);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code !== 'SQLITE_CORRUPT' && code !== 'SQLITE_NOTADB') throw err;
    // The index is derived data: start afresh and rebuild it from the folders.
    for (const suffix of ['', '-wal', '-shm']) rmSync(dbPath + suffix, { force: true });
    return openDatabase(dbPath);
  }
}

function finiteOrNull(value: number | undefined): number | null {
  return value !== undefined && Number.isFinite(value) ? value : null;
}

/** NaN is not JSON: store it as null so rows survive the round trip. */
function stringify(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'number' && !Number.isFinite(v) ? null : v,
  );
}

/**
 * The SQLite index of a runs folder. The folders stay the source of truth: `sync()` reads every folder whose
 * files changed since it was last indexed, and a deleted or unreadable database is rebuilt from them.
 * Several processes may hold a store on the same folder at once (WAL, busy timeout, short write transactions).
 */
export class RunStore {
  readonly runsDir: string;
  /** Where the index is: beside the runs, else in the user's cache, else `:memory:`. */
  dbPath: string;
  private db: Database.Database;

  constructor(runsDir: string, options: RunStoreOptions = {}) {
    this.runsDir = path.resolve(runsDir);
    const wanted = path.resolve(options.dbPath ?? path.join(this.runsDir, STORE_FILE));
    const candidates = options.dbPath ? [wanted] : [wanted, cacheStorePath(this.runsDir)];
    for (const candidate of candidates) {
      try {
        if (candidate !== wanted) mkdirSync(path.dirname(candidate), { recursive: true });
        this.db = openAt(candidate);
        this.dbPath = candidate;
        return;
      } catch (err) {
        if (!cannotWrite(err)) {
          throw new VisionlabError(
            `cannot open the run store ${candidate}: ${(err as Error).message}`,
            'Delete it: it is rebuilt from the run folders.',
          );
        }
      }
    }
    // Nowhere to write (read-only folder and cache, full disk): the folders are the truth, index them in memory.
    this.db = openDatabase(':memory:');
    this.dbPath = ':memory:';
  }

  /** Runs a write; when the file can no longer be written (disk full), continues with an index in memory. */
  private write(run: () => void): void {
    try {
      run();
    } catch (err) {
      if (!cannotWrite(err) || this.dbPath === ':memory:') throw err;
      this.db.close();
      this.db = openDatabase(':memory:');
      this.dbPath = ':memory:';
      run();
    }
  }

  /** Indexes one run folder (inside `runsDir`) now; a no-op when its files have not changed. */
  async recordRun(runDir: string): Promise<boolean> {
    const dir = path.resolve(this.runsDir, runDir);
    const name = path.basename(dir);
    if (path.dirname(dir) !== this.runsDir || !isValidRunName(name)) {
      throw new VisionlabError(`${runDir} is not a run folder inside ${this.runsDir}`);
    }
    const known = this.db.prepare('SELECT signature FROM runs WHERE name = ?').get(name) as
      { signature: string } | undefined;
    if (known && known.signature === (await folderSignature(dir))) return false;
    const contents = await readRunFolder(dir);
    const summary = summarize(name, dir, contents);
    this.write(() => this.index(name, contents, summary));
    return true;
  }

  private index(name: string, contents: RunFolderContents, summary: RunSummary): void {
    const write = this.db.transaction(() => {
      this.db.prepare('DELETE FROM epochs WHERE run = ?').run(name);
      this.db
        .prepare(
          `INSERT INTO runs (name, dir, kind, trials, signature, status, model, created_at, started_at, updated_at, ended_at,
             duration_s, epochs_completed, restored_epoch, best_val_accuracy, best_val_loss, test_accuracy,
             has_model, last_epoch_json, config_json, state_json, metrics_json, indexed_at)
           VALUES (@name, @dir, @kind, @trials, @signature, @status, @model, @createdAt, @startedAt, @updatedAt, @endedAt,
             @durationSeconds, @epochsCompleted, @restoredEpoch, @bestValAccuracy, @bestValLoss, @testAccuracy,
             @hasModel, @lastEpoch, @config, @state, @metrics, @indexedAt)
           ON CONFLICT(name) DO UPDATE SET dir = excluded.dir, kind = excluded.kind, trials = excluded.trials,
             signature = excluded.signature,
             status = excluded.status, model = excluded.model, created_at = excluded.created_at,
             started_at = excluded.started_at, updated_at = excluded.updated_at, ended_at = excluded.ended_at,
             duration_s = excluded.duration_s, epochs_completed = excluded.epochs_completed,
             restored_epoch = excluded.restored_epoch, best_val_accuracy = excluded.best_val_accuracy,
             best_val_loss = excluded.best_val_loss, test_accuracy = excluded.test_accuracy,
             has_model = excluded.has_model, last_epoch_json = excluded.last_epoch_json,
             config_json = excluded.config_json, state_json = excluded.state_json,
             metrics_json = excluded.metrics_json, indexed_at = excluded.indexed_at`,
        )
        .run({
          ...summary,
          signature: contents.signature,
          hasModel: summary.hasModel ? 1 : 0,
          lastEpoch: summary.lastEpoch ? stringify(summary.lastEpoch) : null,
          config: contents.config ? stringify(contents.config) : null,
          state: contents.state ? stringify(contents.state) : null,
          metrics: contents.metrics ? stringify(contents.metrics) : null,
          indexedAt: new Date().toISOString(),
        });
      const insertEpoch = this.db.prepare(
        `INSERT OR REPLACE INTO epochs (run, epoch, loss, accuracy, val_loss, val_accuracy, lr, values_json)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      for (const row of contents.history) {
        insertEpoch.run(
          name,
          row.epoch,
          finiteOrNull(row.loss),
          finiteOrNull(row.accuracy),
          finiteOrNull(row.val_loss),
          finiteOrNull(row.val_accuracy),
          finiteOrNull(row.lr),
          stringify(row),
        );
      }
    });
    // IMMEDIATE takes the write lock up front, so two writers queue on the busy timeout instead of deadlocking.
    write.immediate();
  }

  /** Brings the index in line with the folders: new and changed runs are read, vanished ones dropped. */
  async sync(): Promise<SyncResult> {
    let entries: string[] = [];
    try {
      const dirents = await fs.readdir(this.runsDir, { withFileTypes: true });
      entries = dirents.filter((d) => d.isDirectory() && isValidRunName(d.name)).map((d) => d.name);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const updated: string[] = [];
    for (const name of entries) {
      if (await this.recordRun(path.join(this.runsDir, name))) updated.push(name);
    }
    const present = new Set(entries);
    const removed = (this.db.prepare('SELECT name FROM runs').all() as Array<{ name: string }>)
      .map((r) => r.name)
      .filter((name) => !present.has(name));
    if (removed.length > 0) {
      this.write(() => {
        const drop = this.db.prepare('DELETE FROM runs WHERE name = ?');
        this.db.transaction(() => removed.forEach((name) => drop.run(name))).immediate();
      });
    }
    return { updated, removed };
  }

  /** Every indexed run, newest first. */
  list(): RunSummary[] {
    const rows = this.db
      .prepare('SELECT * FROM runs ORDER BY COALESCE(created_at, started_at, name) DESC, name')
      .all() as RunRow[];
    return rows.map(toSummary);
  }

  get(name: string): RunDetail | null {
    const row = this.db.prepare('SELECT * FROM runs WHERE name = ?').get(name) as RunRow | undefined;
    if (!row) return null;
    return {
      ...toSummary(row),
      config: parse<Record<string, unknown>>(row.config_json),
      state: parse<RunState>(row.state_json),
      metrics: parse<Record<string, unknown>>(row.metrics_json),
      history: this.history(name),
    };
  }

  /** The run's per-epoch rows as indexed (NaN cells come back as null). */
  history(name: string): EpochRecord[] {
    const rows = this.db
      .prepare('SELECT values_json FROM epochs WHERE run = ? ORDER BY epoch')
      .all(name) as Array<{ values_json: string }>;
    return rows.map((r) => JSON.parse(r.values_json) as EpochRecord);
  }

  close(): void {
    this.db.close();
  }
}

/** Opens (creating or rebuilding when needed) the store of `runsDir` and indexes its folders. */
export async function openRunStore(runsDir: string, options: RunStoreOptions = {}): Promise<RunStore> {
  await fs.mkdir(runsDir, { recursive: true });
  const store = new RunStore(runsDir, options);
  try {
    await store.sync();
  } catch (err) {
    store.close();
    throw err;
  }
  return store;
}

/** Indexes one run folder in the store of `runsDir`; what training calls after it writes the folder's files. */
export async function recordRun(runsDir: string, runDir: string): Promise<void> {
  await fs.mkdir(runsDir, { recursive: true });
  const store = new RunStore(runsDir);
  try {
    await store.recordRun(runDir);
  } finally {
    store.close();
  }
}
