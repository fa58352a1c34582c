import type { Metadata } from '@grpc/grpc-js';
import type { ClientAddress } from '../core/client-address.js';
import { uuidV7 } from '../core/uuid-v7.js';
import type { Pin, RoutingContext } from '../contracts/prediction.js';

const CONTEXT_KEY = /^x-context-([a-z0-9_-]{1,64})$/;
const SAFE_ID = /^[\w.:@-]{1,128}$/;
const BEARER = /^Bearer\s+(\S+)\s*$/i;

/** A metadata value as text (the first, when repeated), bounded as HTTP bounds headers; binary (-bin) keys are ignored. */
function text(md: Metadata, key: string): string | undefined {
  const v = md.get(key)[0];
  return typeof v === 'string' && v.length <= 256 ? v : undefined;
}

/** The metadata as a header record, for the client-address resolver's forwarding headers. */
function headerRecord(md: Metadata): Record<string, string | undefined> {
  return { forwarded: text(md, 'forwarded'), 'x-forwarded-for': text(md, 'x-forwarded-for') };
}

/**
 * The peer's address from grpc-js's getPeer(): `1.2.3.4:5678` and `::1:5678` in grpc-js 1.10+
 * (older ones: `ipv4:1.2.3.4:5678`, `ipv6:[::1]:5678`). The port is whatever follows the last colon.
 */
export function peerAddress(peer: string): string | undefined {
  const m = /^(?:ipv[46]:)?(?:\[([^\]]+)\]|(.+)):\d+$/.exec(peer);
  return m?.[1] ?? m?.[2];
}

/**
 * The routing context of a call, exactly as HTTP reads it from headers (http/request-context.ts):
 * x-user-id, x-session-id, x-tenant-id, x-context-<name> properties, and the client address
 * (forwarding metadata believed only from trusted proxies).
 */
export function metadataContext(md: Metadata, peer: string, clientAddress: ClientAddress): RoutingContext {
  const properties: Record<string, string> = {};
  for (const key of Object.keys(md.getMap())) {
    if (!key.startsWith('x-context-')) continue;
    const m = CONTEXT_KEY.exec(key);
    const value = text(md, key);
    if (m?.[1] && value !== undefined) properties[m[1]] = value;
  }
  return {
    userId: text(md, 'x-user-id'),
    sessionId: text(md, 'x-session-id'),
    tenantId: text(md, 'x-tenant-id'),
    remoteAddress: clientAddress(peerAddress(peer), headerRecord(md)),
    properties,
  };
}

/** The request's `model_version` (OIP's own field), else the x-model-version metadata: a version or an alias. */
export function versionPin(modelVersion: string, md: Metadata): Pin | undefined {
  if (modelVersion.length > 0) return { value: modelVersion, source: 'path' };
  const pinned = text(md, 'x-model-version');
  return pinned ? { value: pinned.trim(), source: 'header' } : undefined;
}

/** The caller's x-request-id when it is a sane token, else a time-ordered one. */
export function requestIdOf(md: Metadata): string {
  const given = text(md, 'x-request-id');
  return given !== undefined && SAFE_ID.test(given) ? given : uuidV7();
}

/** `cache-control: no-cache` (or no-store) metadata skips the cache read, as over HTTP. */
export function noCacheRequested(md: Metadata): boolean {
  const v = text(md, 'cache-control');
  return v !== undefined && /\bno-cache\b|\bno-store\b/i.test(v);
}

/** The bearer token of `authorization` metadata, as the HTTP ops routes read it. */
export function bearerToken(md: Metadata): string | undefined {
  return BEARER.exec(text(md, 'authorization') ?? '')?.[1];
}
