/**
 * Throughput of the campaign database on PostgreSQL: candidate ingest and scheduled dispatch (claim), 50,000 rows
 * by default (DESIGN.md §6 target: ≥ 10,000/s each on 2 cores). A test-like script, not a timed test:
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
 *     node --conditions=tm-source --import tsx packages/runners/src/campaign/db/throughput.bench.ts \
 *     [rows] [batch] [--no-analyze] [--ingesters=N]
 *
 * `--ingesters=N` ingests N streams concurrently, split by phone as Kafka partitions would split them (default 1).
 * Between ingest and claim it runs {@link analyzeCampaignTasks}, as the runner does after a bulk load, and times it;
 * `--no-analyze` skips that to show the dispatch with the statistics of an empty table.
 * Works in a schema of its own, dropped at the end. One client in ten gets a second candidate, so ingest also
 * cancels and replaces; calling hours are open all day so every task is dispatched.
 */
import { randomBytes } from 'node:crypto';
import { campaignRowsOf, upsertCampaigns } from './campaigns.js';
import { analyzeCampaignTasks, claimDueTasks } from './claim.js';
import { connectCampaignDb } from './connect.js';
import { ingestCandidates } from './ingest.js';
import { findInvariantViolations } from './invariants.js';
import { migrateToLatest } from './migrate.js';
import { taskCountsByState } from './summary.js';
import { ALL_DAY, candidate } from './test-support.js';

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const analyze = !process.argv.includes('--no-analyze');
const rows = Number(args[0] ?? 50_000);
const batchSize = Number(args[1] ?? 1000);
const ingesters = Number(process.argv.find((a) => a.startsWith('--ingesters='))?.split('=')[1] ?? 1);
const url = process.env.DATABASE_URL;
if (!url) throw new Error('DATABASE_URL is not set');

const schema = `bench_${randomBytes(4).toString('hex')}`;
const admin = connectCampaignDb(url, { poolMax: 1 });
await admin.raw(`CREATE SCHEMA ${schema}`);
const db = connectCampaignDb(url, { poolMax: Math.max(2, ingesters), searchPath: [schema] });
try {
  await migrateToLatest(db);
  await upsertCampaigns(db, campaignRowsOf([{ campaignId: 1, name: 'bench', description: undefined }], []));
  const distinctClients = Math.round(rows * 0.9);
  const candidates = Array.from({ length: rows }, (_, i) =>
    candidate(`${i}`, `7${String(9_000_000_000 + (i % distinctClients)).slice(0, 10)}`, {
      timeZone: i % 3 === 0 ? 'Asia/Novosibirsk' : 'Europe/Moscow',
    }),
  );
  const now = new Date();

  let started = performance.now();
  let canceled = 0;
  const streams = Array.from({ length: ingesters }, (_, s) =>
    candidates.filter((c) => Number(c.phone.slice(-4)) % ingesters === s),
  );
  await Promise.all(
    streams.map(async (stream) => {
      for (let i = 0; i < stream.length; i += batchSize) {
        const result = await ingestCandidates(db, stream.slice(i, i + batchSize), now);
        canceled += result.canceled;
      }
    }),
  );
  const ingestSeconds = (performance.now() - started) / 1000;

  started = performance.now();
  if (analyze) await analyzeCampaignTasks(db);
  const analyzeSeconds = (performance.now() - started) / 1000;

  started = performance.now();
  let claimed = 0;
  for (;;) {
    const batch = await claimDueTasks(db, {
      now,
      limit: batchSize,
      campaigns: [{ campaignId: 1, callingHours: ALL_DAY }],
    });
    if (batch.length === 0) break;
    claimed += batch.length;
  }
  const claimSeconds = (performance.now() - started) / 1000;

  const { rows: version } = await db.raw<{ rows: { server_version: string }[] }>('SHOW server_version');
  console.log(
    `PostgreSQL ${version[0]?.server_version}, ${rows} candidates, batches of ${batchSize}, ${ingesters} ingester(s)`,
  );
  console.log(
    `ingest: ${rows} candidates in ${ingestSeconds.toFixed(2)} s = ${Math.round(rows / ingestSeconds)}/s (${canceled} earlier tasks cancelled and replaced)`,
  );
  console.log(analyze ? `analyze: ${analyzeSeconds.toFixed(2)} s` : 'analyze: skipped');
  console.log(
    `claim:  ${claimed} tasks in ${claimSeconds.toFixed(2)} s = ${Math.round(claimed / claimSeconds)}/s (IN_PROGRESS + ADD dial task each)`,
  );
  console.log('tasks by state:', JSON.stringify(await taskCountsByState(db)));
  const violations = await findInvariantViolations(db);
  if (violations.length > 0) throw new Error(`invariants broken: ${JSON.stringify(violations.slice(0, 5))}`);
} finally {
  await db.destroy();
  await admin.raw(`DROP SCHEMA ${schema} CASCADE`);
  await admin.destroy();
}
