# syntax=docker/dockerfile:1.7
# modelgate: multi-stage build, non-root runtime, healthcheck on OIP readiness.
#
# CPU (default):  docker build -t modelgate:0.1.0 .
# NVIDIA GPU:     docker build -t modelgate:0.1.0-cuda \
#                   --build-arg ONNXRUNTIME_NODE_INSTALL=cuda12 \
#                   --build-arg RUNTIME_BASE=nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04 .
#                 docker run --gpus all -e MODELGATE_EXECUTION_PROVIDERS=cuda,cpu -p 8080:8080 modelgate:0.1.0-cuda
# Tags match deploy/k8s (modelgate:0.1.0, modelgate:0.1.0-cuda for the gpu overlay).
ARG NODE_IMAGE=node:20-bookworm-slim
ARG RUNTIME_BASE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
# onnxruntime-node's postinstall downloads the CUDA provider libraries from NuGet unless skipped.
# `skip` (the default) gives the CPU and WebGPU providers; `cuda12` needs network at build time.
ARG ONNXRUNTIME_NODE_INSTALL=skip
ENV ONNXRUNTIME_NODE_INSTALL=${ONNXRUNTIME_NODE_INSTALL}
# better-sqlite3 falls back to a source build when no prebuilt binary matches.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# npm 11 runs only the install scripts package.json's allowScripts approves (onnxruntime-node's is
# denied there, so a plain `npm ci` never reaches NuGet); npm 10 runs them all, and the variable
# above decides. Either way, `cuda12` runs the provider download explicitly.
RUN npm ci --no-audit --no-fund \
 && if [ "${ONNXRUNTIME_NODE_INSTALL}" != skip ]; then node node_modules/onnxruntime-node/script/install; fi
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY console ./console
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM ${RUNTIME_BASE} AS runtime
# A CUDA base image has no Node.js: bring the build stage's binary (a no-op on the node image).
COPY --from=build /usr/local/bin/node /usr/local/bin/node
ENV NODE_ENV=production \
    PORT=8080 \
    HOST=0.0.0.0 \
    MODELGATE_REGISTRY_DB=/app/data/registry.db
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist/src ./dist/src
COPY --from=build /app/dist/console ./dist/console
COPY package.json ./
COPY config ./config
COPY models ./models
# The gRPC service's .proto files: read by the server at start, and the contract clients compile.
COPY proto ./proto
# Run as uid/gid 1000 whatever the base calls it: `node` in node images, `ubuntu` in the
# nvidia/cuda ubuntu24.04 images (where `useradd --uid 1000` fails: the uid exists); create it
# only when the base has none. Numeric USER so Kubernetes' runAsNonRoot can verify it.
ARG APP_UID=1000
RUN set -eu; \
    getent group "${APP_UID}" >/dev/null || groupadd --gid "${APP_UID}" modelgate; \
    getent passwd "${APP_UID}" >/dev/null || useradd --uid "${APP_UID}" --gid "${APP_UID}" --no-create-home --shell /usr/sbin/nologin modelgate; \
    mkdir -p /app/data && chown -R "${APP_UID}:${APP_UID}" /app/data
USER ${APP_UID}:${APP_UID}
EXPOSE 8080 8081
VOLUME ["/app/data"]
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/v2/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
STOPSIGNAL SIGTERM
# --no-memory-reducer: V8's idle-time heap shrinking leaves a gateway that served large tensors
# doing 2-5x the GC work afterwards (README, "Serving large tensors").
CMD ["node", "--no-memory-reducer", "dist/src/cli/main.js", "serve"]
