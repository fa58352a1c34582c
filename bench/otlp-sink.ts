// Where the tracing rows' gateway exports its spans: a minimal OTLP/HTTP receiver that reads each
// export and answers 200, so the exporter does its real work (a refused connection would not).
import { createServer } from 'node:http';

export interface OtlpSink {
  url: string;
  /** Spans received so far (the tracing rows check that spans did arrive). */
  spans(): number;
  close(): Promise<void>;
}

export async function startOtlpSink(): Promise<OtlpSink> {
  let spans = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      // JSON export (exporter-trace-otlp-http): counting span ids is enough, no need to parse.
      spans += Buffer.concat(chunks).toString('utf8').split('"spanId"').length - 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return { url: `http://127.0.0.1:${port}`, spans: () => spans, close: () => new Promise((r) => server.close(() => r())) };
}
