import type { ChaosResult } from './harness.js';
import { CHAOS_INVARIANTS } from './invariants.js';
import { formatTable, passed } from './report.js';

/**
 * The hand-written part of an existing docs/RELIABILITY.md: from its first `## ` heading to the end (the generated
 * part has none), or '' when it has none.
 */
export function handWrittenPart(existing: string): string {
  const at = existing.search(/^## /m);
  return at < 0 ? '' : existing.slice(at);
}

/**
 * docs/RELIABILITY.md from a chaos run: the table, the command, the date and the machine load, then `handWritten`
 * (the previous file's {@link handWrittenPart}) unchanged.
 */
export function reliabilityMarkdown(
  result: Pick<
    ChaosResult,
    | 'rows'
    | 'violations'
    | 'elapsedMs'
    | 'loadAverage'
    | 'files'
    | 'rowsPublished'
    | 'republishedAdds'
    | 'calls'
  >,
  run: { command: string; date: Date; cores: number; loadNow: readonly number[] },
  handWritten = '',
): string {
  const verdict = passed(result.rows)
    ? 'Every invariant held and every fault recovered.'
    : `**Failed**: ${result.violations.length} violation(s) or a fault that did not recover (see the table).`;
  const examples = result.violations
    .slice(0, 10)
    .map((v) => `- ${v.kind}: ${v.invariant}: ${v.key}`)
    .join('\n');
  return `# Reliability

Measured by \`pnpm chaos\` (packages/runners/src/chaos, ADRs 0137-0139, 0155-0157): the runners as \`tm run\` processes on a
Kafka broker, a PostgreSQL and a Redis of the run's own, a steady load of generated CSV files on both streams, and
the faults below injected one after another in a seeded order. Afterwards the invariants are checked from the topics
and the database:

${CHAOS_INVARIANTS.map((i) => `- ${i.name}`).join('\n')}

A violation counts on the fault in progress (or ended less than 15 s before) when its application's file was
dropped; \`none\` is the rest. *Longest recovery* is the time from the end of the fault (a runner killed, a service
back) until every runner's \`/readyz\` answers 200 again; *runner exits* counts runners that exited on their own.

- Command: \`${run.command}\`
- Date: ${run.date.toISOString()}
- Machine: ${run.cores} cores; 1-minute load average ${result.loadAverage.start.toFixed(2)} when the load started,
  ${result.loadAverage.end.toFixed(2)} when it stopped (${run.loadNow.map((l) => l.toFixed(2)).join(' / ')} at the end)
- Run: ${(result.elapsedMs / 60_000).toFixed(1)} min in all; ${result.files} files, ${result.rowsPublished} rows published; ${result.republishedAdds}
  ADD(s) published again on the dial-tasks topic (allowed: the outbox is at least once, ADR 0034, and the dialer
  drops repeats)
- Calls: ${result.calls.made} made by the telephony simulator, taken by ${result.calls.operators} simulated operators
  through the ARM's HTTP API: ${result.calls.answeredCards} answered calls' cards seen, ${result.calls.saved} results
  saved (${result.calls.reworked} of them reworked from the server's DRAFT)

${formatTable(result.rows)}

${verdict}
${examples ? `\nFirst violations:\n\n${examples}\n` : ''}${handWritten ? `\n${handWritten}` : ''}`;
}
