import type { DemoSummary } from './run-demo.js';

const n = (value: number) => value.toLocaleString('en-US');

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
    `  elapsed        ${(s.elapsedMs / 1000).toFixed(1)} s, ${n(s.rowsPerSecond)} rows/s end to end`,
    `  demo settings  ${s.overrides.join('; ')}`,
    `  work directory ${s.directory}`,
    '',
  );
  return lines.join('\n');
}
