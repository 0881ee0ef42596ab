/** The dialer (tm-mightycall-adapter, thesis §2.6.6): dial tasks to the telephony, calls back to tm-call-events. */

export { createDialer, type Dialer, type DialerOptions } from './dialer.js';
export { DialerMetrics } from './dialer-metrics.js';
export { GuardedTelephony, isTelephonyDown } from './guarded-telephony.js';
export { type CredentialsOf, credentialsFrom, OperatorSessions } from './operator-sessions.js';
export type { PollRound } from './poller.js';
