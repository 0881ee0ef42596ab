# The runners' image: `tm` compiled by `pnpm build`, run from dist/ (docker-compose.yml starts one container per
# stage with `run <stage>`). Build: `docker build -t telemarketing/runners:0.1.0 .`
FROM node:20.19.5-bookworm-slim
WORKDIR /app
ENV COREPACK_ENABLE_DOWNLOAD_PROMPT=0
RUN corepack enable
COPY . .
RUN pnpm install --frozen-lockfile && pnpm build
# The heap limit keeps each runner's resident memory under the 300 MB of DESIGN.md §6 (ADR 0066).
ENV NODE_ENV=production NODE_OPTIONS=--max-old-space-size=256 TM_OPS_PORT=9464 TM_CSV_DIR=/data/csv
EXPOSE 9464
ENTRYPOINT ["node", "packages/runners/dist/cli.js"]
CMD ["--help"]
