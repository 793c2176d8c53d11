# syntax=docker/dockerfile:1
# HASN images for linux/amd64 and linux/arm64: `fleet` (the fleet controller) and `agent-sim` (the agent in simulation
# mode). Build both arches with buildx, e.g.
#   docker buildx build --platform linux/amd64,linux/arm64 --target fleet -t hasn-fleet:0.1.0 .
#   docker buildx build --platform linux/amd64,linux/arm64 --target agent-sim -t hasn-agent-sim:0.1.0 .
# Node.js 24 LTS, pinned to a patch release; bump it deliberately.
ARG NODE_IMAGE=node:24.11.1-bookworm-slim

# Production dependencies, native addons compiled for the target platform (under QEMU when cross-building).
FROM ${NODE_IMAGE} AS deps
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/hasn
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

# The app on a clean base: no compiler, owned by root, run as the unprivileged `node` user (uid 1000).
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /opt/hasn
COPY --from=deps /opt/hasn/node_modules ./node_modules
COPY . .
RUN mkdir -p /var/lib/hasn /var/lib/hasn-fleet \
 && chown node:node /var/lib/hasn /var/lib/hasn-fleet
USER node
ENTRYPOINT ["node", "/opt/hasn/bin/hasn.mjs"]

# Fleet controller: its configuration is mounted at /etc/hasn/fleet.yaml; state in /var/lib/hasn-fleet.
FROM runtime AS fleet
WORKDIR /var/lib/hasn-fleet
EXPOSE 8081
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8081/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["fleet", "--config", "/etc/hasn/fleet.yaml"]

# Agent in simulation mode: simulated sensors, embedded broker, data under /var/lib/hasn/data.
FROM runtime AS agent-sim
WORKDIR /var/lib/hasn
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["agent", "--sim"]
