import type { Filter } from './filter.js';

/** Rejection names the cascade itself uses before any filter; no filter may take them. */
export const RESERVED_FILTER_NAMES = ['DATA_STREAM', 'REQUEST_STATUS'] as const;

const NAME = /^[A-Z][A-Z0-9_]*$/;

/** A filter could not be registered: a bad or reserved name, or one already taken. */
export class FilterRegistrationError extends Error {
  constructor(
    readonly filterName: string,
    message: string,
  ) {
    super(`cannot register filter ${JSON.stringify(filterName)}: ${message}`);
    this.name = 'FilterRegistrationError';
  }
}

/**
 * Filters by name: what `filters-order` may list. Start from {@link createFilterRegistry} (the built-in filters)
 * and {@link FilterRegistry.register} your own.
 */
export class FilterRegistry implements Iterable<Filter> {
  readonly #filters = new Map<string, Filter>();

  constructor(filters: Iterable<Filter> = []) {
    for (const filter of filters) this.register(filter);
  }

  /**
   * Adds a filter. Throws {@link FilterRegistrationError} when the name is not upper snake case, is reserved
   * (DATA_STREAM, REQUEST_STATUS) or is already registered.
   */
  register<S>(filter: Filter<S>): this {
    const name = filter.name;
    if (!NAME.test(name)) throw new FilterRegistrationError(name, 'names are upper snake case, like AGE');
    if ((RESERVED_FILTER_NAMES as readonly string[]).includes(name)) {
      throw new FilterRegistrationError(name, 'the name is reserved for the cascade itself');
    }
    if (this.#filters.has(name))
      throw new FilterRegistrationError(name, 'a filter of that name is registered');
    this.#filters.set(name, filter as Filter);
    return this;
  }

  /** The filter called `name`, if registered. */
  get(name: string): Filter | undefined {
    return this.#filters.get(name);
  }

  has(name: string): boolean {
    return this.#filters.has(name);
  }

  /** Registered names, in registration order. */
  names(): string[] {
    return [...this.#filters.keys()];
  }

  [Symbol.iterator](): Iterator<Filter> {
    return this.#filters.values();
  }
}
