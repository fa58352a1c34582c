// Where the tracing rows' gateway exports its spans: a minimal OTLP/HTTP receiver that reads each
// export and answers 200, so the exporter does its real work (a refused connection would not).
import { createServer } from 'node:http';

export interface OtlpSink {
  url: string;
  /** Export requests received so far. */
  exports(): number;
  /** From now on, keeps what arrives; `saw(traceIds)` then tells whether every one of them came (the probe). */
  watch(): { saw(traceIds: string[]): boolean; stop(): void };
  close(): Promise<void>;
}

export async function startOtlpSink(): Promise<OtlpSink> {
  let exports = 0;
  let kept: Buffer[] | undefined;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      exports++;
      kept?.push(Buffer.concat(chunks));
      // OTLP/HTTP protobuf: an empty ExportTraceServiceResponse is an empty body.
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    exports: () => exports,
    watch: () => {
      kept = [];
      // A span's trace_id is its 16 bytes in the protobuf body.
      return {
        saw: (ids) => ids.every((id) => (kept ?? []).some((b) => b.includes(Buffer.from(id, 'hex')))),
        stop: () => void (kept = undefined),
      };
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
}
