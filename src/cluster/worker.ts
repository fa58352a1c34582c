import { AggregatorRegistry } from 'prom-client';
import { GatewayError } from '../errors/index.js';
import type { BackgroundWork } from '../contracts/background.js';
import type { BatchingSetting } from '../contracts/batching.js';
import type { RollbackOverride } from '../contracts/rollback.js';
import type { Logger } from '../logger.js';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';
import { isPrimaryMessage, type ClusterAction, type WorkerMessage } from './messages.js';

const METRICS_TIMEOUT_MS = 5_000;

/** What a worker shares with the cluster: the parts of a started gateway this file reads and drives. */
export interface ClusterMember {
  metrics: GatewayMetrics;
  logger: Logger;
  background: BackgroundWork;
  overrides: {
    onChange(listener: (model: string, override: RollbackOverride | undefined) => void): void;
    apply(model: string, override: RollbackOverride | undefined): void;
  };
  repository: {
    onChange(listener: (e: { type: 'loaded' | 'unloaded'; name: string; version: string }) => void): void;
    load(model: string, version?: string): Promise<unknown>;
    unload(model: string, version?: string): Promise<unknown>;
  };
  /** Dynamic batching changed at run time (the admin batching API), when the gateway has it. */
  batching?: {
    onChange(listener: (model: string, setting: BatchingSetting) => void): void;
    apply(model: string, setting: BatchingSetting): void;
  };
}

/**
 * Makes a started gateway one worker of a cluster: its metrics are collected by the primary (and
 * its /metrics answers the primary's sum over all workers); rollback overrides, loads and unloads
 * made here are replayed on every other worker, and theirs here. A replayed action is applied
 * directly (not audited again) and is not sent on, so nothing echoes.
 */
export function joinCluster(gateway: ClusterMember): void {
  const send = (m: WorkerMessage) => process.send?.(m);
  AggregatorRegistry.setRegistries([gateway.metrics.registry]);
  // prom-client installs the worker's answer to the primary's metrics requests in this constructor.
  new AggregatorRegistry();

  let nextId = 0;
  const waiting = new Map<number, { resolve: (text: string) => void; reject: (err: Error) => void }>();
  gateway.metrics.exposition = () =>
    new Promise<string>((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new GatewayError('internal', 503, 'the cluster primary did not answer with the metrics'));
      }, METRICS_TIMEOUT_MS);
      waiting.set(id, {
        resolve: (text) => (clearTimeout(timer), resolve(text)),
        reject: (err) => (clearTimeout(timer), reject(err)),
      });
      send({ type: 'modelgate:metrics', id });
    });

  /** Repository events caused by a replayed action: not sent back. */
  const replaying = new Set<string>();
  const eventKey = (kind: string, model: string, version: string) => `${kind}\u0000${model}\u0000${version}`;
  gateway.overrides.onChange((model, override) => send({ type: 'modelgate:broadcast', action: { kind: 'rollback', model, override: override ?? null } }));
  gateway.batching?.onChange((model, setting) => send({ type: 'modelgate:broadcast', action: { kind: 'batching', model, setting } }));
  gateway.repository.onChange((e) => {
    const kind = e.type === 'loaded' ? 'load' : 'unload';
    if (!replaying.has(eventKey(kind, e.name, e.version))) {
      send({ type: 'modelgate:broadcast', action: { kind, model: e.name, version: e.version } });
    }
  });

  const apply = (action: ClusterAction) => {
    if (action.kind === 'rollback') {
      gateway.overrides.apply(action.model, action.override ?? undefined);
      return;
    }
    if (action.kind === 'batching') {
      gateway.batching?.apply(action.model, action.setting);
      return;
    }
    const key = eventKey(action.kind, action.model, action.version);
    replaying.add(key);
    const done = action.kind === 'load' ? gateway.repository.load(action.model, action.version) : gateway.repository.unload(action.model, action.version);
    done
      .catch((err: unknown) => gateway.logger.warn({ err, action }, 'cluster: an action replayed from another worker failed here'))
      .finally(() => replaying.delete(key));
  };

  process.on('message', gateway.background.guard('cluster-message', (message: unknown) => {
    if (!isPrimaryMessage(message)) return;
    if (message.type === 'modelgate:action') return apply(message.action);
    const w = waiting.get(message.id);
    if (!w) return;
    waiting.delete(message.id);
    if (message.text !== undefined) w.resolve(message.text);
    else w.reject(new GatewayError('internal', 503, `cluster metrics: ${message.error ?? 'no answer'}`));
  }));
}
