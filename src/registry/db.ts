import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { migrate } from './migrations.js';

export type Db = Database.Database;

/**
 * Open (creating if needed) the registry database and bring its schema up to date. WAL lets the
 * gateway read while the CLI writes; busy_timeout makes the two wait for each other, not fail.
 */
export function openDatabase(path: string): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = ON');
    migrate(db);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/** A counter SQLite bumps when another connection commits: cheap change detection for polling. */
export const dataVersion = (db: Db): number => db.pragma('data_version', { simple: true }) as number;
