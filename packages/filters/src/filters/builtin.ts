import type { Filter } from '../framework/filter.js';
import { FilterRegistry } from '../framework/registry.js';
import { AGE } from './age.js';
import { GRACE_PERIOD } from './grace-period.js';
import { ML_DEVICE, ML_DOCUMENT, ML_FACE, ML_PHONE } from './ml-checks.js';
import { PHONE_BLACK_LIST } from './phone-black-list.js';
import { PHONE_TEMPLATES } from './phone-templates.js';
import { PRODUCTS_AVAILABLE } from './products-available.js';
import { RESIDENCE } from './residence.js';

/**
 * The built-in filters, in the order implicit ones run (ADR 0020): local checks, then those that ask a service.
 */
export const BUILTIN_FILTERS: readonly Filter[] = [
  RESIDENCE,
  AGE,
  PHONE_TEMPLATES,
  GRACE_PERIOD,
  PHONE_BLACK_LIST,
  ML_DEVICE,
  ML_PHONE,
  ML_FACE,
  ML_DOCUMENT,
  PRODUCTS_AVAILABLE,
];

/** A registry with the built-in filters and then `extra` (your own filters, by their names). */
export function createFilterRegistry(extra: Iterable<Filter> = []): FilterRegistry {
  const registry = new FilterRegistry(BUILTIN_FILTERS);
  for (const filter of extra) registry.register(filter);
  return registry;
}
