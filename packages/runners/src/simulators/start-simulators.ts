import type { SimulatorsConfig } from '@tm/contracts';
import type { FastifyInstance } from 'fastify';
import { createAbramSimulator } from './abram-simulator.js';
import { type BlacklistEntry, loadBlacklistFile } from './blacklist-file.js';
import { createBlacklistSimulator } from './blacklist-simulator.js';
import { createCasperSimulator } from './casper-simulator.js';
import { FaultControl } from './faults.js';
import { TelephonyModel, telephonySecretsFromEnv } from './telephony-model.js';
import { createTelephonySimulator, telephonyModelSettings } from './telephony-simulator.js';

/** The simulated services. */
export type SimulatedService = 'blacklist' | 'casper' | 'abram' | 'telephony';

/** One running simulator: where it listens, and its faults to change while it runs. */
export interface RunningSimulator {
  readonly url: string;
  readonly faults: FaultControl;
  readonly server: FastifyInstance;
}

/** The running telephony simulator, with its model for tests to read (`model.stats()`, `model.addTaskCount()`). */
export interface RunningTelephonySimulator extends RunningSimulator {
  readonly model: TelephonyModel;
}

/** The four simulators, started. */
export interface RunningSimulators {
  readonly urls: Readonly<Record<SimulatedService, string>>;
  readonly blacklist: RunningSimulator;
  readonly casper: RunningSimulator;
  readonly abram: RunningSimulator;
  readonly telephony: RunningTelephonySimulator;
  /** Stops all four; resolves when their ports are free. */
  close(): Promise<void>;
}

/** What a caller may give beyond the config. */
export interface StartSimulatorsOptions {
  /** The blacklist's entries, instead of the config's file. */
  readonly blacklist?: readonly BlacklistEntry[];
  /** The telephony's account key and operator secret; default from the environment (telephonySecretsFromEnv). */
  readonly telephonySecrets?: { readonly apiKey: string; readonly operatorSecret: string };
  /** The telephony model's clock (tests); default Date.now. */
  readonly telephonyClock?: () => number;
}

/**
 * Starts the BlackList, Casper, Abram and telephony simulators in this process (for tests, the embedded demo and
 * `tm run simulators`). Ports come from the config (0: any free port). The blacklist is `options.blacklist` when
 * given, else the config's file, else empty.
 */
export async function startSimulators(
  config: SimulatorsConfig,
  options: StartSimulatorsOptions = {},
): Promise<RunningSimulators> {
  const { seed } = config;
  const entries =
    options.blacklist ?? (config.blacklist.file ? loadBlacklistFile(config.blacklist.file) : []);
  const faults = (service: SimulatedService, s: SimulatorsConfig[SimulatedService]) =>
    new FaultControl(seed, service, { latency: s.latency, errorRate: s.errorRate });

  const blacklistFaults = faults('blacklist', config.blacklist);
  const casperFaults = faults('casper', config.casper);
  const abramFaults = faults('abram', config.abram);
  const telephonyFaults = faults('telephony', config.telephony);
  const telephony = new TelephonyModel(
    telephonyModelSettings(seed, config.telephony, options.telephonySecrets ?? telephonySecretsFromEnv()),
    options.telephonyClock,
  );
  const servers: Array<[SimulatedService, FastifyInstance, FaultControl, number]> = [
    ['blacklist', createBlacklistSimulator(entries, blacklistFaults), blacklistFaults, config.blacklist.port],
    [
      'casper',
      createCasperSimulator(seed, config.casper.unknownClientRate, casperFaults),
      casperFaults,
      config.casper.port,
    ],
    ['abram', createAbramSimulator(seed, config.abram, abramFaults), abramFaults, config.abram.port],
    [
      'telephony',
      createTelephonySimulator(telephony, telephonyFaults),
      telephonyFaults,
      config.telephony.port,
    ],
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
    urls: {
      blacklist: running.blacklist.url,
      casper: running.casper.url,
      abram: running.abram.url,
      telephony: running.telephony.url,
    },
    blacklist: running.blacklist,
    casper: running.casper,
    abram: running.abram,
    telephony: { ...running.telephony, model: telephony },
    close: async () => {
      await Promise.all(started.map((s) => s.close()));
    },
  };
}
