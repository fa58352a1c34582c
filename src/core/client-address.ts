import { BlockList, isIP } from 'node:net';
import type { TrustedProxies } from '../config/schema.js';

type HeaderRecord = Record<string, string | string[] | undefined>;

/** The client address of a request, from the socket peer and (for trusted proxies) forwarding headers. */
export type ClientAddress = (peer: string | undefined, headers: HeaderRecord) => string | undefined;

/**
 * How far forwarding headers are believed. The chain is the `Forwarded` for= entries (else
 * `X-Forwarded-For`) followed by the socket peer; walking it from the right, a trusted proxy's
 * entry is skipped and the first untrusted address is the client. A hop count trusts that many
 * nearest hops; a list trusts addresses in its CIDRs. 0 (the default) reads no header, so a
 * client cannot choose its own bucket by sending one.
 */
export function clientAddressResolver(trusted: TrustedProxies): ClientAddress {
  if (trusted === 0 || (Array.isArray(trusted) && trusted.length === 0)) return (peer) => peer;
  if (typeof trusted === 'number') {
    return (peer, headers) => {
      const chain = forwardedChain(headers, peer);
      return chain[Math.max(0, chain.length - 1 - trusted)];
    };
  }
  const list = blockList(trusted);
  const isTrusted = (a: string) => {
    const kind = isIP(a);
    return kind !== 0 && list.check(a, kind === 4 ? 'ipv4' : 'ipv6');
  };
  return (peer, headers) => {
    if (peer === undefined || !isTrusted(normalise(peer))) return peer;
    const chain = forwardedChain(headers, peer);
    let i = chain.length - 1;
    while (i > 0 && isTrusted(chain[i] as string)) i--;
    return chain[i];
  };
}

/**
 * Whether a socket peer is a proxy that forwards for many clients: every peer with a hop count,
 * a listed address with a list, none by default.
 */
export function trustsPeer(trusted: TrustedProxies): (peer: string) => boolean {
  if (typeof trusted === 'number') return () => trusted > 0;
  if (trusted.length === 0) return () => false;
  const list = blockList(trusted);
  return (peer) => {
    const a = normalise(peer);
    const kind = isIP(a);
    return kind !== 0 && list.check(a, kind === 4 ? 'ipv4' : 'ipv6');
  };
}

/** Forwarded-for entries then the peer, each a bare address (no port, brackets or IPv4-mapped prefix). */
function forwardedChain(headers: HeaderRecord, peer: string | undefined): string[] {
  const forwarded = joined(headers.forwarded);
  const chain: string[] = [];
  if (forwarded) {
    for (const element of forwarded.split(',')) {
      const m = /(?:^|;)\s*for\s*=\s*("[^"]*"|[^;,\s]+)/i.exec(element);
      if (m?.[1]) chain.push(normalise(m[1].replace(/"/g, '')));
    }
  } else {
    const xff = joined(headers['x-forwarded-for']);
    if (xff) for (const a of xff.split(',')) if (a.trim()) chain.push(normalise(a.trim()));
  }
  if (peer !== undefined) chain.push(normalise(peer));
  return chain;
}

function normalise(a: string): string {
  let s = a.trim();
  const bracket = /^\[([^\]]+)\](?::\d+)?$/.exec(s);
  if (bracket?.[1]) s = bracket[1];
  else if (/^\d+\.\d+\.\d+\.\d+:\d+$/.test(s)) s = s.slice(0, s.lastIndexOf(':'));
  if (/^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(s)) s = s.slice(7);
  return s;
}

const joined = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v.join(',') : v);

function blockList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [addr = '', prefix] = entry.split('/');
    // The config schema has checked each entry (isCidr).
    const kind = isIP(addr);
    list.addSubnet(addr, prefix === undefined ? (kind === 4 ? 32 : 128) : Number(prefix), kind === 4 ? 'ipv4' : 'ipv6');
  }
  return list;
}
