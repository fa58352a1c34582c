import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** A role that may create databases (scripts/services/postgres.sh makes it). */
export const PG_ADMIN_URL = process.env.MODELGATE_TEST_PG_URL ?? 'postgres://modelgate:modelgate@127.0.0.1:5432/postgres';

/** Whether PostgreSQL accepts the test role within `timeoutMs`. */
export async function postgresAvailable(timeoutMs = 2000): Promise<boolean> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: timeoutMs });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface TestDatabase {
  url: string;
  /** Run SQL as the database's owner (tests that tamper behind the gateway's back). */
  query(sql: string): Promise<pg.QueryResult>;
  drop(): Promise<void>;
}

/** A fresh database `modelgate_test_<random>` for one test file, dropped (with its connections) by drop(). */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `modelgate_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    query: async (sql) => {
      const c = new pg.Client({ connectionString: url.toString() });
      await c.connect();
      try {
        return await c.query(sql);
      } finally {
        await c.end();
      }
    },
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
