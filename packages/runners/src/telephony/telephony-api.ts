/** The routes of the telephony's HTTP API (ADR 0081): the dialer's client calls them, the simulator serves them. */
export const TELEPHONY_API = {
  token: '/v1/auth/token',
  tasks: '/v1/tasks',
  taskBatch: '/v1/tasks/batch',
  task: '/v1/tasks/:externalId',
  status: '/v1/operators/:operatorId/status',
  events: '/v1/operators/:operatorId/events',
  /** Admin (no faults, no key): the model's counters. */
  stats: '/__sim/telephony/stats',
  /** Admin: `{count}`, lose the next tasks added. */
  loseNext: '/__sim/telephony/lose-next',
  /** Admin: `{ms}`, hold each addTask's answer this long after the task was taken (0 ends it). */
  holdAddAnswers: '/__sim/telephony/hold-add-answers',
} as const;

/** A route with its `:name` parameters filled in (each value URI-encoded). */
export function telephonyPath(route: string, params: Readonly<Record<string, string | number>>): string {
  return route.replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(String(params[name])));
}
