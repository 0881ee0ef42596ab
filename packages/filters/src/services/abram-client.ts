import type { ServiceClientConfig } from '@tm/contracts';
import { ABRAM_ASSESS, type AbramAssessBody } from './http-contracts.js';
import { JsonEndpoint } from './json-endpoint.js';
import { passportBody } from './passport-body.js';
import { createServicePolicy, type ServicePolicy } from './resilience.js';
import type { AbramAssessment, AbramRequest, AbramService } from './types.js';

/** Abram's assessment path (our design; packages/filters/README.md). */
export const ABRAM_ASSESS_PATH = ABRAM_ASSESS.path;

const Answer = ABRAM_ASSESS.response.transform(({ checks, products }) => ({
  checks: {
    device: { status: checks.device.status, reason: checks.device.reason ?? null },
    phone: { status: checks.phone.status, reason: checks.phone.reason ?? null },
    face: { status: checks.face.status, reason: checks.face.reason ?? null },
    document: { status: checks.document.status, reason: checks.document.reason ?? null },
  },
  products: products.map((p) => ({
    productType: p.product_type,
    minAmount: p.min_amount,
    maxAmount: p.max_amount,
    interestRate: p.interest_rate,
    term: p.term,
    termUnit: p.term_unit,
  })),
}));

/** The Abram client: one assessment per application, answering the four ML checks and the products. */
export class AbramClient implements AbramService {
  readonly policy: ServicePolicy;
  readonly #endpoint: JsonEndpoint;

  constructor(config: ServiceClientConfig) {
    this.policy = createServicePolicy('abram', config);
    this.#endpoint = new JsonEndpoint(config.url, ABRAM_ASSESS_PATH, config.concurrency.maxInFlight);
  }

  assess(request: AbramRequest): Promise<AbramAssessment> {
    const body: AbramAssessBody = {
      application_number: request.applicationNumber,
      client_type: request.clientType,
      phone: request.phone,
      device_id: request.deviceId,
      face_id: request.faceId,
      passport: passportBody(request.passportSeries, request.passportNumber),
      birth_date: request.birthDate,
      requested_amount: request.requestedAmount,
      product_type: request.productType,
    };
    return this.policy.execute('assessments', async (signal) =>
      Answer.parse(await this.#endpoint.post(body, signal)),
    );
  }

  /** Closes the client's connections (after the calls in flight are answered). */
  close(): Promise<void> {
    return this.#endpoint.close();
  }
}
