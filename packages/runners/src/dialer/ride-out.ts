import { defer, lastValueFrom } from 'rxjs';
import { rideOutRetry } from '../arm/ride-out.js';

/**
 * Runs a database or broker call, retrying it while the dependency is down for at least `rideOutMs` (the ARM's
 * ride-out: backoff from 100 ms to 5 s). What the dialer must not forget once the telephony acted on it — the
 * telephony's id of a task, a DELETE's outcome — is stored through this, so an outage delays it, not loses it.
 */
export function rideOut<T>(call: () => Promise<T>, rideOutMs: number): Promise<T> {
  return lastValueFrom(defer(call).pipe(rideOutRetry<T>(rideOutMs)));
}
