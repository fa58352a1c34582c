import type { BackgroundWork } from '../contracts/background.js';
import { watch, type FSWatcher } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import type { Unleash } from 'unleash-client';
import { z } from 'zod';
import type { Logger } from '../logger.js';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';
import type { FlagContext, FlagSource, FlagVariant } from './flag-source.js';
import { ClientFeatures } from './flags-schema.js';
import { definitionOf, evaluate, offlineUnleash } from './unleash-client.js';

/** Parse and validate a client-features document; the error names the field. */
export function parseFlags(text: string): ClientFeatures {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`not valid JSON: ${(err as Error).message}`);
  }
  const parsed = ClientFeatures.safeParse(json);
  if (!parsed.success) throw new Error(z.prettifyError(parsed.error));
  return parsed.data;
}

export interface FileFlagSourceOptions {
  /** Watch the folder for edits (default true). */
  watch?: boolean;
  /** Also compare the file's realpath/mtime/size this often (ms), for changes no event reports; 0 = never. */
  pollIntervalMs?: number;
  /** Where failed reloads and watch errors are counted and logged ('flags-reload', 'flags-watch'). */
  background?: BackgroundWork;
}

/** What identifies one version of the file without reading it: where the path resolves, and its stat. */
async function signatureOf(path: string): Promise<string> {
  try {
    const [real, st] = await Promise.all([realpath(path), stat(path)]);
    return `${real}\0${st.mtimeMs}\0${st.size}\0${st.ino}`;
  } catch {
    return '\0missing';
  }
}

/**
 * The embedded flag source: config/flags.json in Unleash's client-features format, evaluated
 * offline by unleash-client. An edit that does not parse or validate keeps the last good flags.
 *
 * Reloads watch the whole folder, not the file name: editors and config tools replace the file
 * by an atomic rename, and Kubernetes mounts a ConfigMap as `flags.json -> ..data/flags.json`
 * and swaps the `..data` symlink by renaming `..data_tmp` over it, so the only event names
 * `..data`. Every event in the folder (debounced) and a slow poll of the file's
 * realpath/mtime/size (for a symlink into another folder, or an event the platform dropped)
 * re-read the file; unchanged content is a no-op.
 */
export class FileFlagSource implements FlagSource {
  readonly kind = 'file' as const;
  private client: Unleash | undefined;
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastText = '';
  private lastSignature = '';
  private poller: NodeJS.Timeout | undefined;
  private closed = false;
  private reloading: Promise<void> = Promise.resolve();

  private constructor(
    readonly path: string,
    private readonly logger: Logger,
    private readonly metrics: GatewayMetrics,
    private readonly background: BackgroundWork | undefined,
  ) {}

  /** Load the file (a missing file means "no flags": every model serves its stable version). */
  static async create(path: string, logger: Logger, metrics: GatewayMetrics, opts: FileFlagSourceOptions = {}): Promise<FileFlagSource> {
    const source = new FileFlagSource(resolve(path), logger, metrics, opts.background);
    await source.reload();
    if (opts.watch !== false) source.startWatching(opts.pollIntervalMs ?? 2_000);
    return source;
  }

  getVariant(flag: string, ctx: FlagContext): FlagVariant {
    return evaluate(this.client, flag, ctx);
  }

  definition(flag: string) {
    return definitionOf(this.client, flag);
  }

  /** Re-read the file now; resolves when the new flags are live (or were refused); rejects when the reload failed. */
  reload(): Promise<void> {
    const next = this.reloading.then(() => this.reloadOnce());
    // A failed reload must not wedge the chain (every later reload would be skipped).
    this.reloading = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.watcher?.close();
    clearTimeout(this.timer);
    clearInterval(this.poller);
    await this.reloading;
    this.client?.destroy();
    this.client = undefined;
  }

  private async reloadOnce(): Promise<void> {
    this.lastSignature = await signatureOf(this.path);
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch {
      if (this.client === undefined && this.lastText === '') {
        this.logger.warn({ file: this.path }, 'flags file not found: every model serves its stable version');
        this.lastText = '\0missing';
      }
      return;
    }
    if (text === this.lastText) return;
    let flags: ClientFeatures;
    try {
      flags = parseFlags(text);
    } catch (err) {
      this.metrics.flagReloads.inc({ source: 'file', result: 'invalid' });
      this.logger.warn({ file: basename(this.path), err: (err as Error).message }, 'flags file edit refused; keeping the last good flags');
      return;
    }
    const next = flags.features.length > 0 ? await offlineUnleash(flags) : undefined;
    const old = this.client;
    this.client = next;
    this.lastText = text;
    old?.destroy();
    this.metrics.flagReloads.inc({ source: 'file', result: 'ok' });
    this.logger.info({ file: basename(this.path), flags: flags.features.length }, 'flags loaded');
  }

  private startWatching(pollIntervalMs: number): void {
    const schedule = () => {
      if (this.closed) return;
      clearTimeout(this.timer);
      // Coalesce the several events one save or one ConfigMap swap makes; well inside the 200 ms budget.
      this.timer = setTimeout(this.reported('flags-reload', () => this.reload()), 15);
    };
    try {
      this.watcher = watch(dirname(this.path), schedule);
      // The watch may die (the folder removed, inotify limits): the poll still sees edits.
      this.watcher.on('error', (err) => this.reported('flags-watch', () => Promise.reject(err))());
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'cannot watch the flags folder; relying on the poll');
    }
    if (pollIntervalMs > 0) {
      this.poller = setInterval(
        this.reported('flags-poll', async () => {
          if ((await signatureOf(this.path)) !== this.lastSignature) schedule();
        }),
        pollIntervalMs,
      );
      this.poller.unref();
    }
  }

  /** A callback whose failure is counted and logged as background work (a warn line without a gateway's). */
  private reported(task: string, fn: () => Promise<unknown>): () => void {
    if (this.background) return this.background.guard(task, fn);
    return () => void fn().catch((err: unknown) => this.logger.warn({ task, err: err instanceof Error ? err.message : String(err) }, `flags: ${task} failed`));
  }
}
