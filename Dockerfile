# o365-exporter container image.
#   docker build -t o365-exporter .
#   docker run -p 9365:9365 --read-only -v o365-data:/data o365-exporter
# The base is a build argument so an air-gapped build (or the Podman test in
# test/packaging/docker.test.ts) can point it at a local image; the default is a pinned
# public Node 22 LTS image (Node 20 reached end of life on 2026-04-30; see docs/deployment.md).
# The Dockerfile only needs `node`, `npm` and `/bin/sh` from it.
ARG BASE_IMAGE=docker.io/library/node:22.23.5-bookworm-slim

# --- build: dev dependencies, TypeScript -> dist/ ------------------------------------
FROM ${BASE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
# No install scripts: the build needs none, and no dependency runs code at install time.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build
# An empty data directory, created with node because a minimal base has no mkdir.
RUN node -e "require('node:fs').mkdirSync('/skel/data', { recursive: true })"

# --- deps: production dependencies only ------------------------------------------------
FROM ${BASE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# Only node_modules leaves this stage, so npm's cache never reaches the image.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# --- runtime -------------------------------------------------------------------------
FROM ${BASE_IMAGE}
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG CREATED=unknown
ARG SOURCE=""
LABEL org.opencontainers.image.title="o365-exporter" \
      org.opencontainers.image.description="Prometheus exporter measuring how well a site reaches Microsoft 365" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.source="${SOURCE}"
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/package.json /app/package-lock.json ./
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /src/dist/src ./dist/src
# Owned by the runtime user so a fresh anonymous/named volume is writable too.
COPY --from=build --chown=65532:65532 /skel/data /data
# Numeric so Kubernetes' runAsNonRoot can verify it without an /etc/passwd entry.
USER 65532:65532
VOLUME ["/data"]
EXPOSE 9365
ENTRYPOINT ["node", "/app/dist/src/main.js", "--storage.path=/data"]
