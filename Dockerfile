# OmniPalm headless in a container (security guide, "Docker Isolation"). Build and run with
# docker-compose.yml next to this file; docs/docker.md explains the setup.
#
# Two stages: the build stage has compilers and dev dependencies; the runtime stage gets only
# the pruned node_modules, bin/ and out/ (the CLI bundle bin/ runs, and the built renderer) —
# no sources, no compiler, no npm cache, no dev dependencies.

# ---- build ----------------------------------------------------------------------------------
FROM node:20-bookworm-slim AS build

# better-sqlite3 and node-pty are native modules built from source here: node-gyp needs
# python3, make and g++.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      python3 make g++ ca-certificates \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# The Electron binary and Playwright's browsers are desktop-only downloads the headless
# container never uses.
ENV ELECTRON_SKIP_BINARY_DOWNLOAD=1 \
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 \
    npm_config_build_from_source=true

# The lock file alone first, so that the dependency layer is cached across source edits.
# --ignore-scripts then an explicit rebuild: only the packages package.json's allowScripts
# names run install scripts (the same rule as a checkout), not whatever a dependency ships.
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts \
 && npm rebuild better-sqlite3 node-pty esbuild

COPY . .
# electron-vite (main, preload and the renderer the headless mode serves) and the CLI bundle
# (out/cli, what bin/omnipalm.mjs runs) into out/.
RUN npm run build \
 && npm prune --omit=dev

# ---- runtime --------------------------------------------------------------------------------
FROM node:20-bookworm-slim AS runtime

# bubblewrap, socat, ripgrep: the shell sandbox (@anthropic-ai/sandbox-runtime).
# tini: PID 1 that forwards SIGTERM to node, so `docker stop` shuts down gracefully instead
# of being killed after the timeout (node as PID 1 ignores signals it has no handler for).
# ca-certificates: HTTPS to the model provider and integrations.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      bubblewrap socat ripgrep tini ca-certificates \
 && rm -rf /var/lib/apt/lists/*

# The base image's "node" user already has uid 1000; replace it with "omnipalm" (uid/gid
# 1000) so that ~ is /home/omnipalm and OMNIPALM_HOME matches the guide's paths.
# The folders that docker-compose.yml mounts volumes on are created here, owned by 1000:
# an empty named volume takes the ownership of the folder it is mounted on, so they are
# writable for the non-root user. Everything else stays read-only (read_only: true).
RUN userdel --remove node \
 && groupadd --gid 1000 omnipalm \
 && useradd --uid 1000 --gid 1000 --home-dir /home/omnipalm --create-home \
      --shell /bin/bash omnipalm \
 && install -d -o 1000 -g 1000 -m 0700 /home/omnipalm/.omnipalm \
 && install -d -o 1000 -g 1000 -m 0755 /home/omnipalm/projects

WORKDIR /app
# Owned by root and not writable by uid 1000: the agent cannot modify its own code even
# where the root file system is not mounted read-only.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/bin ./bin
COPY --from=build /app/out ./out

ENV NODE_ENV=production \
    HOME=/home/omnipalm \
    SHELL=/bin/bash \
    OMNIPALM_HOME=/home/omnipalm/.omnipalm

# Non-root: the app refuses root anyway (no OMNIPALM_ALLOW_ROOT here, none needed).
USER 1000:1000
WORKDIR /home/omnipalm/projects

EXPOSE 7780

# No HEALTHCHECK: every route of the headless API needs the bearer token from
# $OMNIPALM_HOME/api-token, and a check that reads the token and puts it on a command line
# would show it in `docker inspect` / the process list; an unauthenticated health route would
# be a hole in "everything needs the token". Use `docker compose logs` / restart policies.

# Listens on 0.0.0.0 inside the container so that the published port reaches it; the host
# side is bound to 127.0.0.1 in docker-compose.yml, so it is still loopback-only on the host.
ENTRYPOINT ["/usr/bin/tini", "--", "node", "/app/bin/omnipalm.mjs"]
CMD ["start", "--headless", "--host", "0.0.0.0", "--allow-remote", "--port", "7780"]
