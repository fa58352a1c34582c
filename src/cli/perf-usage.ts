/** `modelgate perf --help` (kept apart so the command table loads none of perf's code). */
export const PERF_USAGE = `usage: modelgate perf --model <name> [options]

  Benchmarks one model on a running gateway (local or remote), as Triton's perf_analyzer does:
  steps of load, each measured in windows until --windows consecutive windows agree within
  --stability %; then throughput, p50/p90/p95/p99, errors by status, the share answered by each
  version, the cache hit rate and the server's breakdown from /metrics deltas (queue wait,
  onnxruntime time per run, batch size, shed requests). Ctrl-C ends with what was measured so far.

target and load:
  --url <url>                 the gateway (default http://127.0.0.1:8080)
  --model <name>              the model; --version <v> pins a version (default: routed by flags)
  --protocol <p>              v1 | oip-json (default) | oip-binary | grpc (probed first)
  --grpc-address <host:port>  the gRPC listener (default: --url's host, port 8081)
  --concurrency <range>       connections per step, START:END:xF|+N (default 1:16:x4)
  --rate <range>              requests a second per step instead, e.g. 100:2000:+100
  --connections <n>           connections for --rate (default 64)
  --duration <t>              length of one measurement window (default 5s)
  --warmup <t>                load before the first window of each step (default 1s)
  --windows <n>               consecutive windows that must agree (default 3)
  --stability <pct>           their throughput and mean latency within this % (default 10)
  --max-windows <n>           give up on stability after this many windows (default 10)
  --users <n>                 rotate x-user-id over n users, so a sticky canary split shows
  --cache on|off              off sends cache-control: no-cache (default on)
  --unique-inputs <share>     share of requests (0-1) with fresh inputs never sent before
  --token <token>             sent as a bearer token (a gateway with role tokens)

inputs (from the model's metadata: datatypes, shapes, named features' ranges):
  --input-data <d>            random (default) | zero | FILE: OIP request bodies ({"inputs":[...]}
                              or an array of them) or v1 {"instances":[...]}, one request each
  --shape <name:d1,d2,...>    the full shape of an input with dynamic dimensions (repeatable)
  --batch-size <n>            a leading -1 dimension (default 1)
  --replay-trace <n>          replay the last n inputs the gateway's prediction trace captured
                              (the gateway needs registry.trace.captureInputs on; a viewer --token)

output:
  an aligned table on stdout; --json <file|->, --csv <file|->, --html <file> (charts, no CDN);
  --quiet: no progress line on stderr

batching sweep (a local model: spawns gateways with a temp config; with --url: the running
gateway, through PUT /admin/models/{m}/batching with a deployer --token, restored at the end):
  --sweep-batching            try max batch size x queue delay, re-measure each, recommend the
                              best throughput whose p99 is within --p99-budget (e.g. 20ms)
  --models-dir <dir>          the models folder for the spawned gateways (default models; given,
                              the sweep is local even with --url)
  --batch-sizes <list>        default 1,8,32,64 (1: batching off); --queue-delays <list> in µs,
                              default 500,2000; --config <file>: the gateway config to start from`;
