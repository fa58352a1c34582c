#!/usr/bin/env bash
# The gateway on a GPU host: mlp-heavy (512-2048-2048-512) over HTTP, per request and with dynamic
# batching, on the CPU provider (all cores, worker runner) and on WebGPU (main thread, GPU.md).
# Each configuration runs as its own gateway process on 127.0.0.1; autocannon loads it from
# another process, bounded in time. Usage: bash bench/gpu/run.sh [seconds] [connections]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
SECONDS_PER_RUN="${1:-8}"
CONNECTIONS="${2:-128}"
NODE="${NODE:-node}"
AUTOCANNON="${AUTOCANNON:-node_modules/autocannon/autocannon.js}"
PORT=18990
BODY=$("$NODE" -e 'console.log(JSON.stringify({inputs:[{name:"input",datatype:"FP32",shape:[1,512],data:Array.from({length:512},(_,i)=>(((i*37)%200)-100)/100)}]}))')
[ -f models/mlp-heavy/1.0.0/model.onnx ] || "$NODE" -e 'import("./dist/src/training/heavy.js").then((m) => m.buildHeavyModel("models"))'
echo "| configuration | provider | runner | req/s (median) | p50 ms | p99 ms |"
echo "|---|---|---|---:|---:|---:|"
for cfg in cpu-per-request cpu-batched webgpu-per-request webgpu-batched; do
  data=$(mktemp -d)
  MODELGATE_CONFIG="bench/gpu/$cfg.json" MODELGATE_REGISTRY_DB="$data/registry.db" MODELGATE_TRACE=off \
    PORT=$PORT HOST=127.0.0.1 LOG_LEVEL=info "$NODE" --no-memory-reducer dist/src/cli/main.js serve > "$data/gateway.log" 2>&1 &
  pid=$!
  # node's fetch, not curl: the GPU host has neither curl nor Node.js of its own.
  "$NODE" -e 'const u=process.argv[1];(async()=>{for(let i=0;i<240;i++){try{if((await fetch(u)).ok)return}catch{}await new Promise(r=>setTimeout(r,500))}process.exit(1)})()' "http://127.0.0.1:$PORT/v2/health/ready"
  info=$("$NODE" -e 'fetch(process.argv[1]).then(r=>r.json()).then(m=>console.log(m.parameters.execution_provider+" | "+m.parameters.runner))' "http://127.0.0.1:$PORT/v2/models/mlp-heavy")
  out=$("$NODE" "$AUTOCANNON" -j -c "$CONNECTIONS" -d "$SECONDS_PER_RUN" -m POST -H content-type=application/json -b "$BODY" \
    "http://127.0.0.1:$PORT/v2/models/mlp-heavy/infer" 2>/dev/null)
  echo "$out" | "$NODE" -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const r=JSON.parse(s);console.log(`| '"$cfg"' | '"$info"' | ${r.requests.p50} | ${r.latency.p50} | ${r.latency.p99} |`+(r.non2xx?` non-2xx ${r.non2xx}`:""))})'
  kill "$pid"; wait "$pid" 2>/dev/null || true
  grep -iE "fell back|refused" "$data/gateway.log" | head -2 | cut -c1-200 || true
done
