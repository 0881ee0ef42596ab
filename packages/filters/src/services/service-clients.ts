import type { ServicesConfig } from '@tm/contracts';
import { AbramClient } from './abram-client.js';
import { BlacklistClient } from './blacklist-client.js';
import { CasperClient } from './casper-client.js';
import type { Services } from './types.js';

/** The HTTP clients of the three services, as {@link Services} for `evaluateApplication`. */
export interface ServiceClients extends Services {
  readonly blacklist: BlacklistClient;
  readonly casper: CasperClient;
  readonly abram: AbramClient;
  /** Closes every client's connections; call once nothing will be evaluated any more. */
  close(): Promise<void>;
}

/**
 * Creates the clients from the `services` config section. Create them once per process and share them: the
 * breakers, concurrency limits and the BlackList batcher only work across the applications that share a client.
 */
export function createServiceClients(config: ServicesConfig): ServiceClients {
  const blacklist = new BlacklistClient(config.blacklist);
  const casper = new CasperClient(config.casper);
  const abram = new AbramClient(config.abram);
  return {
    blacklist,
    casper,
    abram,
    close: async () => {
      await Promise.all([blacklist.close(), casper.close(), abram.close()]);
    },
  };
}
