import type { Services } from '@tm/filters';

/** Memoises the first successful answer of `call`; a failure is forgotten, so the next call asks again. */
function keepingSuccess<A extends unknown[], R>(
  call: (...args: A) => Promise<R>,
): (...args: A) => Promise<R> {
  let kept: Promise<R> | undefined;
  return (...args) => {
    if (kept) return kept;
    const attempt = call(...args);
    kept = attempt;
    attempt.catch(() => {
      if (kept === attempt) kept = undefined;
    });
    return attempt;
  };
}

/**
 * The services as seen by the attempts at one application: the first answer each service gives is kept and reused
 * by every later attempt, and a failed call is made again. So when Abram was down but BlackList answered, the retry
 * asks Abram only: each service answers at most once per application, retries included. (Within one attempt,
 * `evaluateApplication` already shares each call among all campaigns.)
 *
 * Create one per application and drop it with the application: the arguments of later calls are not looked at.
 */
export function keptAnswers(services: Services): Services {
  return {
    blacklist: { search: keepingSuccess((subject) => services.blacklist.search(subject)) },
    casper: { findClient: keepingSuccess((query) => services.casper.findClient(query)) },
    abram: { assess: keepingSuccess((request) => services.abram.assess(request)) },
  };
}
