import type { Api } from './api.js';
import type { Principal } from './types.js';

/** What each view gets: the API with the signed-in token, who that is, and the shared status line. */
export interface ConsoleContext {
  api: Api;
  me: Principal;
  /** Say what happened in the status region (read out by screen readers). */
  notify: (message: string, kind?: 'ok' | 'error') => void;
  /** Reload models, routing and the audit log after an action. */
  refresh: () => Promise<void>;
  /** After an action whose button is gone (its view was re-rendered), move focus to the status line. */
  settleFocus: () => void;
}

/** Run an action: report its result or the gateway's refusal, then refresh the views. */
export async function act(ctx: ConsoleContext, what: string, run: () => Promise<unknown>): Promise<void> {
  try {
    await run();
    ctx.notify(`${what}: done`, 'ok');
  } catch (err) {
    ctx.notify(`${what} failed: ${(err as Error).message}`, 'error');
  }
  await ctx.refresh();
  ctx.settleFocus();
}
