import type { Application } from '@tm/contracts';
import { defineFilter, type Filter, noSettings } from '../framework/filter.js';
import { type FilterVerdict, pass, reject } from '../framework/verdict.js';
import type { MlCheck } from '../services/types.js';

/** The rejection reason when Abram could not decide a check and the campaign has `ml-skip-error: false`. */
export const ML_ERROR = 'ML_ERROR';

interface MlCheckSpec {
  readonly name: string;
  readonly check: MlCheck;
  readonly subject: string;
  /** The field(s) the check is about, or null when the application lacks them. */
  readonly input: (app: Application) => string | null;
}

function mlCheckFilter(spec: MlCheckSpec): Filter<Record<string, never>> {
  return defineFilter({
    name: spec.name,
    summary: `Abram's ${spec.check} check passes (an ML error: as \`ml-skip-error\` says).`,
    whenAbsent: `No ${spec.subject}: rejects, as the check must be passed (figure 25) and cannot be run.`,
    settings: noSettings,
    services: ['abram'],
    async run(app, _settings, { campaign, lookups }): Promise<FilterVerdict> {
      if (spec.input(app) === null) return reject(`${spec.subject} absent`);
      const result = (await lookups.abram()).checks[spec.check];
      switch (result.status) {
        case 'PASSED':
          return pass();
        case 'FAILED':
          return reject(`${spec.check} check failed`, result.reason ?? undefined);
        default: {
          const why = `${spec.check} check ended in ${result.status}${result.reason ? ` (${result.reason})` : ''}`;
          return campaign.mlSkipError ? pass(`${why}; passed by ml-skip-error`) : reject(ML_ERROR, why);
        }
      }
    },
  });
}

const present = (value: string | null): string | null => (value?.trim() ? value : null);

/** ML_DEVICE — Abram's device check (figure 25: "this check from the ML service must be passed"). */
export const ML_DEVICE = mlCheckFilter({
  name: 'ML_DEVICE',
  check: 'device',
  subject: 'device id',
  input: (app) => present(app.deviceId),
});

/** ML_PHONE — Abram's phone check. */
export const ML_PHONE = mlCheckFilter({
  name: 'ML_PHONE',
  check: 'phone',
  subject: 'phone',
  input: (app) => present(app.phone),
});

/** ML_FACE — Abram's face check (on faceID, 2.3). */
export const ML_FACE = mlCheckFilter({
  name: 'ML_FACE',
  check: 'face',
  subject: 'face id',
  input: (app) => present(app.faceId),
});

/** ML_DOCUMENT — Abram's identity document check (passport series and number, 2.5 and 2.6). */
export const ML_DOCUMENT = mlCheckFilter({
  name: 'ML_DOCUMENT',
  check: 'document',
  subject: 'passport series or number',
  input: (app) => (present(app.passportSeries) && present(app.passportNumber) ? app.passportNumber : null),
});
