# The runners' image (ADR 0128): `tm` compiled by `pnpm build` and run from dist/ on Node 22, with the production
# dependencies of @tm/runners only, as the unprivileged user `node`. docker-compose.yml starts one container per
# runner with `run <runner>`. Build: `docker build -t telemarketing/runners:0.1.0 .`
#
# Stages: `manifests` (the workspace's package.json files, lockfile and patches), `build` (every dependency,
# `pnpm build`), `prod` (the production install beside the build output, laid out as the repository is: the
# packages resolve each other to dist/ through their `default` export condition), and the runtime image.

FROM node:22.23.3-bookworm-slim AS manifests
WORKDIR /app
ENV COREPACK_ENABLE_DOWNLOAD_PROMPT=0
RUN corepack enable
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./
COPY patches patches
# The root package's preinstall (ADR 0140), skipped here: no compiler or -dev packages go into the image. Where
# GitHub is reachable the librdkafka client installs its prebuilt binary; elsewhere its build fails, and the
# runners use kafkajs (infra.kafka.client: librdkafka then says so at start).
COPY infra/librdkafka-build-deps.sh infra/
ENV SKIP_LIBRDKAFKA_BUILD_DEPS=1
COPY packages/contracts/package.json packages/contracts/
COPY packages/filters/package.json packages/filters/
COPY packages/pipeline-core/package.json packages/pipeline-core/
COPY packages/runners/package.json packages/runners/
COPY packages/web/package.json packages/web/
COPY infra/package.json infra/
COPY bench/package.json bench/

FROM manifests AS build
RUN pnpm install --frozen-lockfile
COPY . .
RUN pnpm build

FROM manifests AS prod
# @tm/runners and the workspace packages it depends on, without devDependencies (test tools, TypeScript, Vite).
RUN pnpm install --frozen-lockfile --prod --filter-prod "@tm/runners..."
COPY --from=build /app/packages/contracts/dist packages/contracts/dist
COPY --from=build /app/packages/filters/dist packages/filters/dist
COPY --from=build /app/packages/pipeline-core/dist packages/pipeline-core/dist
COPY --from=build /app/packages/runners/dist packages/runners/dist
COPY --from=build /app/packages/web/dist packages/web/dist
COPY config config
COPY schemas schemas
# What the packages' `files` leave out of a release: compiled tests, test support, benchmarks.
RUN find packages -path '*/dist/*' \( -name '*.test.*' -o -name 'test-support.*' -o -name '*.test-support.*' \
      -o -name '*.bench.*' -o -name '*.tsbuildinfo' \) -delete \
    && rm -rf infra bench patches

FROM node:22.23.3-bookworm-slim
WORKDIR /app
# No native module among the production dependencies (pg without pg-native, PGlite is WebAssembly): the slim
# image's libraries suffice. The code stays root's; the runner may write only its CSV folder.
COPY --from=prod /app /app
RUN mkdir -p /data/csv && chown node:node /data/csv
USER node
# The heap limit keeps each runner's resident memory under the 300 MB of DESIGN.md §6 (ADR 0066).
ENV NODE_ENV=production NODE_OPTIONS=--max-old-space-size=256 TM_OPS_PORT=9464 TM_CSV_DIR=/data/csv
EXPOSE 9464
ENTRYPOINT ["node", "packages/runners/dist/cli.js"]
CMD ["--help"]
