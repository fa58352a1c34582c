import { describe, expect, it } from 'vitest';
import { peerAddress } from '../../src/grpc/call-context.js';

describe('the peer address of a gRPC call (the routing context\'s client address)', () => {
  it('reads grpc-js 1.10+\'s host:port and the older ipv4:/ipv6: forms', () => {
    expect(peerAddress('127.0.0.1:5678')).toBe('127.0.0.1');
    expect(peerAddress('::1:5678')).toBe('::1');
    expect(peerAddress('::ffff:10.0.0.7:443')).toBe('::ffff:10.0.0.7');
    expect(peerAddress('ipv4:10.1.2.3:50051')).toBe('10.1.2.3');
    expect(peerAddress('ipv6:[::1]:50051')).toBe('::1');
    expect(peerAddress('unknown')).toBeUndefined();
  });
});
