# syntax=docker/dockerfile:1
# One image for the API and the worker (docker-compose.yml picks the command).

# --- build: compile TypeScript to dist/ and prebuild the workflow bundle -----------------
FROM node:20-bookworm-slim AS build
WORKDIR /app
# Manifests first, so the dependency layer is reused while only sources change.
COPY package.json package-lock.json ./
# --ignore-scripts: package.json's "allowScripts" denies every dependency's install script
# (none is needed), but the npm 10 of node:20 images does not read that field.
RUN npm ci --ignore-scripts
COPY tsconfig*.json nest-cli.json* .swcrc ./
COPY apps ./apps
COPY common ./common
COPY workflows ./workflows
COPY activities ./activities
COPY libs ./libs
COPY scripts ./scripts
# Writes dist/apps/... and dist/workflow-bundle.js (the worker's WORKFLOW_BUNDLE_PATH), so
# the runtime image needs neither the TypeScript sources nor the bundler's dev dependencies.
RUN npm run build

# --- runtime: production dependencies and the build output only --------------------------
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
# Root owns the files and the process runs as the unprivileged node user: it cannot alter them.
USER node
EXPOSE 3000
CMD ["node", "dist/apps/api/src/main.js"]
