import { createServer, type Http2Server, type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { grpcFrame, H2GrpcConnection, requestHeaders } from '../../src/perf/h2-grpc-client.js';

const PATH = '/test.Echo/Call';
let server: Http2Server | undefined;
let conn: H2GrpcConnection | undefined;

afterEach(async () => {
  conn?.close();
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  server = undefined;
});

/** node:http2 (nghttp2: Huffman strings, dynamic table, flow control) answering as a gRPC server would. */
async function start(handle: (stream: ServerHttp2Stream, body: Buffer, headers: Record<string, unknown>) => void): Promise<string> {
  server = createServer();
  server.on('stream', (stream, headers) => {
    stream.on('error', () => undefined); // the reset test's own stream
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => handle(stream, Buffer.concat(chunks), headers));
  });
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function answer(stream: ServerHttp2Stream, message: Buffer, metadata: Record<string, string>, status = '0', details = ''): void {
  stream.respond({ ':status': 200, 'content-type': 'application/grpc', ...metadata }, { waitForTrailers: true });
  stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': status, 'grpc-message': encodeURIComponent(details) }));
  stream.end(grpcFrame(message));
}

describe('the load generator\'s HTTP/2 gRPC client (bare socket, HPACK)', () => {
  it('sends the framed message and reads metadata, the answer and its status, call after call on one connection', async () => {
    const seen: string[] = [];
    const address = await start((stream, body, headers) => {
      seen.push(`${String(headers[':path'])} ${String(headers['content-type'])} ${String(headers['x-user-id'])}`);
      // A new request id each call: literal fields the server's HPACK table indexes and later evicts.
      answer(stream, Buffer.concat([Buffer.from('echo:'), body.subarray(5)]), { 'x-request-id': `req-${seen.length}-${'z'.repeat(300)}`, 'x-cache': 'bypass' });
    });
    conn = new H2GrpcConnection(address);
    const headers = requestHeaders(address, PATH, { 'x-user-id': 'u-7' });
    for (let i = 0; i < 40; i++) {
      const r = await conn.call(headers, grpcFrame(Buffer.from(`hello ${i}`)), true);
      expect(r.code).toBe(0);
      expect(r.message?.toString()).toBe(`echo:hello ${i}`);
      expect(r.headers['x-request-id']).toBe(`req-${i + 1}-${'z'.repeat(300)}`);
      expect(r.headers['x-cache']).toBe('bypass');
    }
    expect(seen[0]).toBe(`${PATH} application/grpc u-7`);
  });

  it('a trailers-only error gives its status and decoded message', async () => {
    const address = await start((stream) => {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '3', 'grpc-message': encodeURIComponent('bad input: ünïcode') }, { endStream: true });
    });
    conn = new H2GrpcConnection(address);
    const r = await conn.call(requestHeaders(address, PATH), grpcFrame(Buffer.from('x')), true);
    expect(r).toMatchObject({ code: 3, details: 'bad input: ünïcode' });
    expect(r.message).toBeUndefined();
  });

  it('a message larger than the server\'s windows arrives whole, with 64 calls in flight', async () => {
    const big = Buffer.alloc(600_000);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7) & 0xff;
    const address = await start((stream, body) => {
      const ok = body.length === big.length + 5 && body.subarray(5).equals(big);
      answer(stream, Buffer.from(ok ? 'same' : `differs (${body.length})`), {});
    });
    conn = new H2GrpcConnection(address);
    const headers = requestHeaders(address, PATH);
    const frame = grpcFrame(big);
    const results = await Promise.all(Array.from({ length: 64 }, () => (conn as H2GrpcConnection).call(headers, frame, true)));
    expect(results.map((r) => `${r.code} ${r.message?.toString() ?? r.details}`)).toEqual(Array(64).fill('0 same'));
  });

  it('a reset stream or a lost connection ends the call with UNAVAILABLE, never hangs', async () => {
    const address = await start((stream) => stream.close(2));
    conn = new H2GrpcConnection(address);
    const r = await conn.call(requestHeaders(address, PATH), grpcFrame(Buffer.from('x')));
    expect(r.code).toBe(14);
    const dead = new H2GrpcConnection('127.0.0.1:1');
    expect((await dead.call(requestHeaders('127.0.0.1:1', PATH), grpcFrame(Buffer.from('x')))).code).toBe(14);
  });
});
