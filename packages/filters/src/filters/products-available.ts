import { defineFilter, noSettings } from '../framework/filter.js';
import { pass, reject } from '../framework/verdict.js';

/**
 * PRODUCTS_AVAILABLE — thesis §2.6.2 "the client has products available": Abram offers at least one product
 * (thesis §2.3.3), so the operator has something to propose.
 */
export const PRODUCTS_AVAILABLE = defineFilter({
  name: 'PRODUCTS_AVAILABLE',
  summary: 'Abram offers the client at least one product.',
  whenAbsent: 'Reads no application field; Abram decides from whatever the application has.',
  settings: noSettings,
  services: ['abram'],
  async run(_app, _settings, { lookups }) {
    const { products } = await lookups.abram();
    return products.length > 0 ? pass() : reject('no products available');
  },
});
