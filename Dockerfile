# Backroom: one image for every role (`serve`, `worker`, `migrate`, `seed` …). See README "Deployment".
# Build: docker build -t backroom .        Run: docker compose up (compose.yaml) or docker run -p 3000:3000 backroom
# Not built in this project's CI (no container engine there); the multi-node test runs the same topology from dist/.

# --- build: every dependency (dev included), then the server (dist/), the typed client and the admin app ----------
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/client/package.json packages/client/
COPY packages/admin/package.json packages/admin/
# --ignore-scripts: `prepare` would build before the sources are copied; no dependency has an install script.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run build

# --- runtime: production dependencies of the server only, the built files, a non-root user ---------------------------
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    LOG_FORMAT=json \
    BACKROOM_DATA_DIR=/app/.backroom
WORKDIR /app
COPY package.json package-lock.json ./
# The workspaces (typed client, admin app) are build-time only: the server serves the admin app's built files.
RUN npm ci --omit=dev --ignore-scripts --workspaces=false --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/bin ./bin
COPY --from=build /app/dist ./dist
COPY --from=build /app/templates ./templates
COPY --from=build /app/packages/admin/dist ./packages/admin/dist
RUN ln -s /app/bin/backroom.js /usr/local/bin/backroom \
 && mkdir -p /app/.backroom && chown node:node /app/.backroom
USER node
EXPOSE 3000
# /health/live: the process answers (no database check, so a database outage does not restart every node; the load
# balancer routes on /health/ready instead). The image has no curl: Node's fetch does the probe.
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["backroom", "serve"]
