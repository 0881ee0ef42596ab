/**
 * What a filter answers for one application: pass, or reject with a reason.
 *
 * `reason` is short and stable (KPIs count rejections by filter and reason); `detail` says more for people reading
 * one rejection. Neither may contain a full phone number, passport or name: they end up in logs and topics.
 */
export type FilterVerdict =
  | { readonly pass: true; readonly note?: string }
  | { readonly pass: false; readonly reason: string; readonly detail?: string };

/** The application passes this filter. `note` records something worth keeping (an ML error skipped). */
export function pass(note?: string): FilterVerdict {
  return note === undefined ? { pass: true } : { pass: true, note };
}

/** The application is certainly not a candidate of this campaign (thesis §2.6.2). */
export function reject(reason: string, detail?: string): FilterVerdict {
  return detail === undefined ? { pass: false, reason } : { pass: false, reason, detail };
}
