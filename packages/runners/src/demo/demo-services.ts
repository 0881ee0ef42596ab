import type { PipelineConfig } from '@tm/contracts';
import type { Logger, StageMetrics, Transport } from '@tm/pipeline-core';
import type { Knex } from 'knex';
import { type Arm, createArm } from '../arm/arm.js';
import { inProcessSecurity } from '../arm/security-client.js';
import { createDialer, type Dialer } from '../dialer/dialer.js';
import { buildKpiHttp } from '../kpi/kpi-http.js';
import { createKpiService, type KpiService } from '../kpi/kpi-service.js';
import { MemoryStore } from '../kv/memory-store.js';
import { createSecurity, DEMO_OPERATOR, type Security } from '../security/security.js';
import type { BotOperator } from '../simulated-operators/operator-bots.js';
import { simulatedOperators } from '../simulated-operators/simulated-logins.js';
import type { Telephony } from '../telephony/telephony.js';

/** The operator side running in the demo's process. */
export interface DemoOperatorSide {
  readonly security: Security;
  readonly arm: Arm;
  readonly dialer: Dialer;
  readonly kpi: KpiService;
  /** The ARM's base URL: the operator page at `/`, the API at `/api/arm/v1/`. */
  readonly armUrl: string;
  /** The KPI dashboard's base URL when asked for ({@link DemoOperatorSideOptions.kpiHttp}). */
  readonly kpiUrl: string | undefined;
  /** The person's login (`--serve`) and the simulated operators' logins. */
  readonly demoOperator: BotOperator;
  readonly simulated: readonly BotOperator[];
  close(): Promise<void>;
}

export interface DemoOperatorSideOptions {
  config: PipelineConfig;
  transport: Transport;
  db: Knex;
  telephony: Telephony;
  /** The telephony's operators' secret (the dialer logs every operator in with it, ADR 0085). */
  operatorSecret: string;
  logger: Logger;
  metrics: StageMetrics;
  /** How many simulated operators to create besides the demo operator. */
  operators: number;
  /** Serve the KPI dashboard and its API on `kpi.http` (`--serve`). */
  kpiHttp: boolean;
}

/**
 * Starts what `tm run security`, `tm run arm`, `tm run dialer` and `tm run kpi` run, in this process, each from the
 * factory its command uses (ADR 0131): PGlite for the database, MemoryStores for Redis, the security service
 * in-process for the ARM, the memory transport, the KPI state in memory. The security service creates the demo
 * operator and `operators` simulated ones.
 */
export async function startDemoOperatorSide(options: DemoOperatorSideOptions): Promise<DemoOperatorSide> {
  const { config, transport, db, logger, metrics } = options;
  const simulated = simulatedOperators(options.operators);
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const c of closers.reverse()) await c().catch(() => {});
  };
  try {
    const security = createSecurity({
      config,
      db,
      store: new MemoryStore(),
      logger,
      seedOperators: [DEMO_OPERATOR, ...simulated],
    });
    await security.start();
    closers.push(() => security.stop());

    const arm = createArm({
      config,
      transport,
      db,
      store: new MemoryStore(),
      security: inProcessSecurity(security.service),
      logger,
      metrics,
    });
    await arm.start();
    closers.push(() => arm.stop());

    const dialer = createDialer({
      config,
      transport,
      db,
      telephony: options.telephony,
      operatorSecret: options.operatorSecret,
      logger,
      metrics,
    });
    await dialer.start();
    closers.push(() => dialer.stop());

    const kpi = createKpiService({ config, transport, logger, metrics, state: 'memory' });
    await kpi.start();
    closers.push(() => kpi.stop());
    let kpiUrl: string | undefined;
    if (options.kpiHttp) {
      const http = buildKpiHttp(kpi);
      kpiUrl = await http.listen({ host: config.kpi.http.host, port: config.kpi.http.port });
      closers.push(() => http.close());
    }
    return {
      security,
      arm,
      dialer,
      kpi,
      armUrl: arm.url as string,
      kpiUrl,
      demoOperator: { login: DEMO_OPERATOR.login, password: DEMO_OPERATOR.password },
      simulated: simulated.map(({ login, password }) => ({ login, password })),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
