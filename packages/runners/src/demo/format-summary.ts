import type { DemoSummary } from './run-demo.js';

const n = (value: number) => value.toLocaleString('en-US');
const pct = (value: number | null | undefined) => (value == null ? '–' : `${Math.round(value * 100)}%`);

/** `A 3, B 2`: most first. */
function byCount(counts: Record<string, number>): string {
  const entries = Object.entries(counts).sort(([, a], [, b]) => b - a);
  return entries.length ? entries.map(([key, count]) => `${key} ${n(count)}`).join(', ') : 'none';
}

function kpiLine(s: DemoSummary): string {
  const k = s.kpi;
  const talk = k.averageTalkSeconds == null ? '–' : `${k.averageTalkSeconds.toFixed(0)} s`;
  return (
    `answer rate ${pct(k.answerRate)}, average talk ${talk} (simulated), saved in time ${pct(k.savedInTimeShare)}, ` +
    `conversion ${pct(k.conversionRate)}, repeat contacts ${pct(k.repeatContactShare)}`
  );
}

/** The demo's closing summary for people. */
export function formatDemoSummary(s: DemoSummary): string {
  const lines = [
    '',
    'Telemarketing pipeline demo — embedded default',
    `  files          ${n(s.filesAccepted)} accepted, ${n(s.filesRejected)} rejected by format control (moved to error/ with a report)`,
    `  rows           ${n(s.rowsRead)} read, ${n(s.rowsPublished)} published as applications`,
    `  candidates     ${n(s.candidates)}`,
    `  rejections     ${n(Object.values(s.rejections).reduce((a, b) => a + b, 0))}`,
  ];
  for (const [campaign, c] of Object.entries(s.campaigns)) {
    const byFilter = Object.entries(c.rejections)
      .sort(([, a], [, b]) => b - a)
      .map(([filter, count]) => `${filter} ${n(count)}`)
      .join(', ');
    lines.push(`    campaign ${campaign}: ${n(c.candidates)} candidates; rejected by ${byFilter || 'none'}`);
  }
  const tasks = Object.entries(s.tasks)
    .map(([state, count]) => `${state} ${n(count)}`)
    .join(', ');
  lines.push(
    `  tasks          ${tasks}`,
    `  dial tasks     ${n(s.dialTasks)} published to the dialer${s.dialTaskDeletes ? ` (and ${n(s.dialTaskDeletes)} deletes of replaced tasks)` : ''}`,
    `  calls          ${n(s.calls.made)} made: ${n(s.calls.answered)} answered, ${n(s.calls.noAnswer)} no answer, ${n(s.calls.busy)} busy, ${n(s.calls.failed)} failed${s.calls.inProgress ? `, ${n(s.calls.inProgress)} still on` : ''}`,
    `  results        ${n(s.results.saved)} saved through the ARM by ${n(s.operators.simulated)} simulated operators: ${byCount(s.results.byCode)}`,
    `  drafts         ${n(s.results.serverDrafts)} by the server when no result came in time (${n(s.operators.leftUnsaved)} left unsaved on purpose), ${n(s.results.reworked)} reworked${s.results.draftsAfterResult ? `, ${n(s.results.draftsAfterResult)} after the operator's own result` : ''}${s.results.answeredWithoutResult ? `; ${n(s.results.answeredWithoutResult)} answered calls with neither` : ''}`,
    `  re-calls       ${n(s.recalls.dispatched)} dispatched; ${n(s.recalls.scheduled)} scheduled by a call-again result, ${n(s.recalls.attemptLimitReached)} refused at the attempt limit`,
    `  KPIs today     ${kpiLine(s)}`,
    `  loop           ${s.settled ? 'settled: every task closed, every answered call saved' : 'not settled when the summary was taken'}`,
    `  elapsed        ${(s.elapsedMs / 1000).toFixed(1)} s, ${n(s.rowsPerSecond)} rows/s end to end`,
    `  demo settings  ${s.overrides.join('; ')}`,
    `  work directory ${s.directory}`,
    '',
  );
  return lines.join('\n');
}
