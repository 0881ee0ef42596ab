import type { Application, CasperProfile } from '@tm/contracts';
import type {
  AbramAssessment,
  AbramRequest,
  BlacklistRecord,
  CasperQuery,
  Services,
} from '../services/types.js';

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

function once<T>(call: () => Promise<T>): () => Promise<T> {
  let promise: Promise<T> | undefined;
  return () => {
    promise ??= call();
    return promise;
  };
}

/** Memoised lookups of one application against `services`. */
export function createServiceLookups(app: Application, services: Services): ServiceLookups {
  return {
    blacklist: once(() => services.blacklist.search({ phone: app.phone, deviceId: app.deviceId })),
    casper: once(() => services.casper.findClient(casperQueryOf(app))),
    abram: once(() => services.abram.assess(abramRequestOf(app))),
  };
}
