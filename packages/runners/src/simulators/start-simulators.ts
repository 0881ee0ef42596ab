import type { SimulatorsConfig } from '@tm/contracts';
import type { FastifyInstance } from 'fastify';
import { createAbramSimulator } from './abram-simulator.js';
import { type BlacklistEntry, loadBlacklistFile } from './blacklist-file.js';
import { createBlacklistSimulator } from './blacklist-simulator.js';
import { createCasperSimulator } from './casper-simulator.js';
import { FaultControl } from './faults.js';

/** The simulated services. */
export type SimulatedService = 'blacklist' | 'casper' | 'abram';

/** One running simulator: where it listens, and its faults to change while it runs. */
export interface RunningSimulator {
  readonly url: string;
  readonly faults: FaultControl;
  readonly server: FastifyInstance;
}

/** The three simulators, started. */
export interface RunningSimulators {
  readonly urls: Readonly<Record<SimulatedService, string>>;
  readonly blacklist: RunningSimulator;
  readonly casper: RunningSimulator;
  readonly abram: RunningSimulator;
  /** Stops all three; resolves when their ports are free. */
  close(): Promise<void>;
}

/**
 * Starts the BlackList, Casper and Abram simulators in this process (for tests, the embedded demo and
 * `tm run simulators`). Ports come from the config (0: any free port). The blacklist is `options.blacklist` when
 * given, else the config's file, else empty.
 */
export async function startSimulators(
  config: SimulatorsConfig,
  options: { blacklist?: readonly BlacklistEntry[] } = {},
): Promise<RunningSimulators> {
  const { seed } = config;
  const entries =
    options.blacklist ?? (config.blacklist.file ? loadBlacklistFile(config.blacklist.file) : []);
  const faults = (service: SimulatedService, s: SimulatorsConfig[SimulatedService]) =>
    new FaultControl(seed, service, { latency: s.latency, errorRate: s.errorRate });

  const blacklistFaults = faults('blacklist', config.blacklist);
  const casperFaults = faults('casper', config.casper);
  const abramFaults = faults('abram', config.abram);
  const servers: Array<[SimulatedService, FastifyInstance, FaultControl, number]> = [
    ['blacklist', createBlacklistSimulator(entries, blacklistFaults), blacklistFaults, config.blacklist.port],
    [
      'casper',
      createCasperSimulator(seed, config.casper.unknownClientRate, casperFaults),
      casperFaults,
      config.casper.port,
    ],
    ['abram', createAbramSimulator(seed, config.abram, abramFaults), abramFaults, config.abram.port],
  ];

  const started: FastifyInstance[] = [];
  const running = {} as Record<SimulatedService, RunningSimulator>;
  try {
    for (const [service, server, control, port] of servers) {
      await server.listen({ host: config.host, port });
      started.push(server);
      const address = server.server.address();
      const actualPort = typeof address === 'object' && address !== null ? address.port : port;
      const host = config.host.includes(':') ? `[${config.host}]` : config.host;
      running[service] = { url: `http://${host}:${actualPort}`, faults: control, server };
    }
  } catch (err) {
    await Promise.all(started.map((s) => s.close()));
    throw err;
  }
  return {
    urls: { blacklist: running.blacklist.url, casper: running.casper.url, abram: running.abram.url },
    blacklist: running.blacklist,
    casper: running.casper,
    abram: running.abram,
    close: async () => {
      await Promise.all(started.map((s) => s.close()));
    },
  };
}
