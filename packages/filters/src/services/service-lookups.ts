import type { Application, CasperProfile } from '@tm/contracts';
import { onceUntilFailed } from '@tm/pipeline-core';
import type { AbramAssessment, AbramRequest, BlacklistRecord, CasperQuery, Services } from './types.js';

/**
 * The external answers about one application, each asked for at most once however many campaigns and filters
 * want it: the first caller starts the request, everyone after shares its promise (a failure included, so a
 * service that is down is not hammered once per campaign). Create one per application.
 */
export interface ServiceLookups {
  /** BlackList records matching the application's phone or device id; empty when it is not blacklisted. */
  blacklist(): Promise<readonly BlacklistRecord[]>;
  /** The client's Casper profile, or null when Casper does not know the client. */
  casper(): Promise<CasperProfile | null>;
  /** Abram's ML checks and products for the application. */
  abram(): Promise<AbramAssessment>;
}

const MS_PER_DAY = 86_400_000;

/** Casper's query for an application (thesis §2.3.2). */
export function casperQueryOf(app: Application): CasperQuery {
  return {
    phone: app.phone,
    deviceId: app.deviceId,
    passportSeries: app.passportSeries,
    passportNumber: app.passportNumber,
  };
}

/** Abram's request for an application (thesis §2.3.3). */
export function abramRequestOf(app: Application): AbramRequest {
  return {
    applicationNumber: app.applicationNumber,
    clientType: app.clientType,
    phone: app.phone,
    deviceId: app.deviceId,
    faceId: app.faceId,
    passportSeries: app.passportSeries,
    passportNumber: app.passportNumber,
    birthDate:
      app.birthDate === null ? null : new Date(app.birthDate * MS_PER_DAY).toISOString().slice(0, 10),
    requestedAmount: app.requestedAmount,
    productType: app.productType,
  };
}

/**
 * `call` made once and its promise shared by every caller, concurrent or later, its failure included (for a call
 * whose failure is forgotten, so the next caller asks again, see pipeline-core's `onceUntilFailed`).
 */
function sharedCall<R>(call: () => Promise<R>): () => Promise<R> {
  let shared: Promise<R> | undefined;
  return () => {
    shared ??= call();
    return shared;
  };
}

/** Memoised lookups of one application against `services` (for one attempt at it: failures are kept). */
export function createServiceLookups(app: Application, services: Services): ServiceLookups {
  return {
    blacklist: sharedCall(() => services.blacklist.search({ phone: app.phone, deviceId: app.deviceId })),
    casper: sharedCall(() => services.casper.findClient(casperQueryOf(app))),
    abram: sharedCall(() => services.abram.assess(abramRequestOf(app))),
  };
}

/**
 * The services as seen by the attempts at one application: the first answer each service gives is kept and reused
 * by every later attempt, and a failed call is made again. So when Abram was down but BlackList answered, the retry
 * asks Abram only: each service answers at most once per application, retries included. (Within one attempt,
 * {@link createServiceLookups} already shares each call, its failure included, among all campaigns.)
 *
 * Create one per application and drop it with the application: the arguments of later calls are not looked at.
 */
export function keptAnswers(services: Services): Services {
  return {
    blacklist: { search: onceUntilFailed((subject) => services.blacklist.search(subject)) },
    casper: { findClient: onceUntilFailed((query) => services.casper.findClient(query)) },
    abram: { assess: onceUntilFailed((request) => services.abram.assess(request)) },
  };
}
