/** Config for the KPI's integration tests (not exported from the package). */

/** Config overrides giving a test topics, a consumer group and changelogs of its own on a shared broker. */
export function kpiOverrides(unique: (base: string) => string, brokers: readonly string[]) {
  const incoming = unique('kpi-incoming');
  return [
    [['infra', 'kafka', 'brokers'], brokers.join(',')],
    [['events', 'data-streams', 0, 'topic'], incoming],
    [['events', 'data-streams', 1, 'topic'], incoming],
    [['topics', 'incoming-events'], incoming],
    [['topics', 'candidates'], unique('kpi-candidates')],
    [['topics', 'rejections'], unique('kpi-rejections')],
    [['topics', 'dial-tasks'], unique('kpi-dial-tasks')],
    [['topics', 'call-events'], unique('kpi-call-events')],
    [['topics', 'communication-results'], unique('kpi-results')],
    [['topics', 'operator-sessions'], unique('kpi-sessions')],
    [['topics', 'partitions'], 3],
    [['kpi', 'application-id'], unique('tm-kpi')],
    [['kpi', 'http', 'host'], '127.0.0.1'],
  ] as const;
}
