import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { parse } from 'yaml';
import { repoRoot } from './paths.js';

/**
 * No container can start on the project's machines, so docker-compose.yml is kept honest by reading it:
 * images pinned, and ports and credentials matching the defaults of config/pipeline.yaml.
 */

interface ComposeService {
  image?: string;
  build?: string;
  command?: string[];
  volumes?: string[];
  healthcheck?: { test?: string[] };
  ports?: string[];
  environment?: Record<string, string | number>;
}

// Compose resolves YAML merge keys (`<<: *runner-environment`); so does this reading.
const compose = parse(readFileSync(join(repoRoot, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>;
};
const pipeline = parse(readFileSync(join(repoRoot, 'config', 'pipeline.yaml'), 'utf8')) as {
  'csv-events-base-folder': string;
  infra: Record<string, Record<string, string>>;
  kpi: { http: { host: string; port: string } };
  services: Record<string, { url: string }>;
  simulators: Record<string, { port: number }> & { host: string };
};
const dockerfile = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8');

/** The runners that have a container of their own. */
const RUNNERS = ['simulators', 'intake', 'analyser', 'campaign', 'security', 'arm', 'kpi'];
/** The runners that serve /healthz, /readyz and /metrics on the image's ops port. */
const OPS_RUNNERS = ['intake', 'analyser', 'campaign', 'security', 'arm', 'kpi'];

/** The default of a `${NAME:default}` value, which is what a machine without overrides uses. */
function defaultOf(value: string | undefined): string {
  const match = /^\$\{[A-Z_]+:(.*)\}$/.exec(value ?? '');
  if (!match?.[1]) throw new Error(`expected \${NAME:default}, got ${value}`);
  return match[1];
}

function service(name: string): ComposeService {
  const s = compose.services[name];
  if (!s) throw new Error(`docker-compose.yml has no service ${name}`);
  return s;
}

function publishes(name: string, hostPort: string | number): boolean {
  return (service(name).ports ?? []).some((p) => p.split(':')[0] === String(hostPort));
}

describe('docker-compose.yml', () => {
  it('pins every image to a version', () => {
    for (const [name, s] of Object.entries(compose.services)) {
      expect(s.image, `${name} image`).to.match(/^[\w./-]+:v?\d[\w.-]*$/);
      expect(s.image, `${name} image`).not.to.match(/:latest$/);
    }
  });

  it('has Kafka (KRaft), a Schema Registry, PostgreSQL and Redis', () => {
    expect(service('kafka').environment?.KAFKA_PROCESS_ROLES).to.equal('broker,controller');
    expect(service('schema-registry').image).to.match(/schema-registry/);
    expect(service('postgres').image).to.match(/^postgres:/);
    expect(service('redis').image).to.match(/^redis:/);
  });

  it('publishes Kafka where config/pipeline.yaml expects it', () => {
    const [host, port] = defaultOf(pipeline.infra.kafka?.brokers).split(':');
    expect(publishes('kafka', port ?? '')).to.equal(true);
    expect(String(service('kafka').environment?.KAFKA_ADVERTISED_LISTENERS)).to.contain(`${host}:${port}`);
  });

  it('points the Schema Registry at a listener Kafka advertises, and publishes its listener', () => {
    const bootstrap = String(
      service('schema-registry').environment?.SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS,
    );
    const advertised = String(service('kafka').environment?.KAFKA_ADVERTISED_LISTENERS).split(',');
    expect(advertised.map((l) => l.split('://')[1])).to.include(bootstrap.split('://')[1]);
    const listener = new URL(String(service('schema-registry').environment?.SCHEMA_REGISTRY_LISTENERS));
    expect(publishes('schema-registry', listener.port)).to.equal(true);
  });

  it('gives every runner the Schema Registry, which the config takes only from SCHEMA_REGISTRY_URL (ADR 0122)', () => {
    expect(pipeline.infra['schema-registry']?.url).to.equal(`\${SCHEMA_REGISTRY_URL:}`);
    const listener = new URL(String(service('schema-registry').environment?.SCHEMA_REGISTRY_LISTENERS));
    for (const runner of RUNNERS.filter((r) => r !== 'simulators')) {
      const url = new URL(String(service(runner).environment?.SCHEMA_REGISTRY_URL));
      expect([url.hostname, url.port], runner).to.deep.equal(['schema-registry', listener.port]);
    }
  });

  it('creates the PostgreSQL user, password and database the config connects with', () => {
    const url = new URL(defaultOf(pipeline.infra.database?.url));
    const env = service('postgres').environment ?? {};
    expect(env.POSTGRES_USER).to.equal(url.username);
    expect(env.POSTGRES_PASSWORD).to.equal(url.password);
    expect(env.POSTGRES_DB).to.equal(url.pathname.slice(1));
    expect(publishes('postgres', url.port || 5432)).to.equal(true);
  });

  it('publishes Redis where the config expects it', () => {
    const url = new URL(defaultOf(pipeline.infra.redis?.url));
    expect(publishes('redis', url.port || 6379)).to.equal(true);
  });

  it('runs every runner from the image of ./Dockerfile, with `run <stage>`', () => {
    expect(dockerfile).to.match(/^ENTRYPOINT \["node", "packages\/runners\/dist\/cli\.js"\]$/m);
    expect(dockerfile).to.match(/pnpm install --frozen-lockfile && pnpm build/);
    for (const name of RUNNERS) {
      expect(service(name).build, `${name} build`).to.equal('.');
      expect(service(name).command, `${name} command`).to.deep.equal(['run', name]);
    }
    expect(new Set(RUNNERS.map((name) => service(name).image)).size).to.equal(1);
  });

  it('points the runners at Kafka, PostgreSQL, Redis and the simulators inside the compose network', () => {
    const internal = String(service('kafka').environment?.KAFKA_ADVERTISED_LISTENERS)
      .split(',')
      .map((l) => l.split('://')[1]);
    const postgres = service('postgres').environment ?? {};
    for (const name of ['intake', 'analyser', 'campaign', 'security', 'arm']) {
      const env = service(name).environment ?? {};
      expect(internal, `${name} KAFKA_BROKERS`).to.include(env.KAFKA_BROKERS);
      expect(String(env.KAFKA_BROKERS)).to.match(/^kafka:/);
      const db = new URL(String(env.DATABASE_URL));
      expect([db.hostname, db.username, db.password, db.pathname.slice(1)]).to.deep.equal([
        'postgres',
        postgres.POSTGRES_USER,
        postgres.POSTGRES_PASSWORD,
        postgres.POSTGRES_DB,
      ]);
      expect(new URL(String(env.REDIS_URL)).hostname).to.equal('redis');
      for (const s of ['blacklist', 'casper', 'abram']) {
        const variable = `${s.toUpperCase()}_URL`;
        // The config reads the variable the compose file sets, and the simulators publish that port.
        expect(pipeline.services[s]?.url, `services.${s}.url`).to.match(new RegExp(`^\\$\\{${variable}:`));
        const url = new URL(String(env[variable]));
        expect([url.hostname, Number(url.port)], `${name} ${variable}`).to.deep.equal([
          'simulators',
          pipeline.simulators[s]?.port,
        ]);
      }
    }
    expect(service('simulators').environment?.TM_SIMULATOR_HOST).to.equal('0.0.0.0');
  });

  it('points the ARM at the security service, and publishes both where the config puts them', () => {
    const security = pipeline as unknown as Record<string, Record<string, string | number>>;
    expect(String(security.arm?.['security-url'])).to.match(/^\$\{TM_SECURITY_URL:/);
    const url = new URL(String(service('arm').environment?.TM_SECURITY_URL));
    expect([url.hostname, Number(url.port)]).to.deep.equal(['security', security.security?.port]);
    expect(publishes('security', security.security?.port ?? '')).to.equal(true);
    expect(publishes('arm', security.arm?.port ?? '')).to.equal(true);
    expect(service('security').environment?.TM_SECURITY_HOST).to.equal('0.0.0.0');
    expect(service('arm').environment?.TM_ARM_HOST).to.equal('0.0.0.0');
  });

  it('sets only variables config/pipeline.yaml reads, and mounts the CSV folder where intake looks', () => {
    const variableOf = (value: string | undefined) => /^\$\{([A-Z_]+):/.exec(value ?? '')?.[1];
    expect(variableOf(pipeline.simulators.host)).to.equal('TM_SIMULATOR_HOST');
    expect(variableOf(pipeline['csv-events-base-folder'])).to.equal('TM_CSV_DIR');
    expect(variableOf(pipeline.infra.kafka?.brokers)).to.equal('KAFKA_BROKERS');
    expect(variableOf(pipeline.infra['schema-registry']?.url)).to.equal('SCHEMA_REGISTRY_URL');
    expect(variableOf(pipeline.infra.database?.url)).to.equal('DATABASE_URL');
    expect(variableOf(pipeline.infra.redis?.url)).to.equal('REDIS_URL');
    const intake = service('intake');
    const csvDir = String(intake.environment?.TM_CSV_DIR);
    expect((intake.volumes ?? []).map((v) => v.split(':')[1])).to.include(csvDir);
    expect(dockerfile).to.contain(`TM_CSV_DIR=${csvDir}`);
  });

  it('checks each stage runner’s health on the ops port the image sets', () => {
    const opsPort = /\bTM_OPS_PORT=(\d+)/.exec(dockerfile)?.[1];
    expect(opsPort).to.be.a('string');
    for (const name of OPS_RUNNERS) {
      expect(service(name).healthcheck?.test?.join(' '), `${name} healthcheck`).to.contain(
        `127.0.0.1:${opsPort}/readyz`,
      );
    }
  });

  it('publishes the KPI dashboard where config/pipeline.yaml serves it, on every interface', () => {
    expect(/^\$\{([A-Z_]+):/.exec(pipeline.kpi.http.host)?.[1]).to.equal('TM_KPI_HOST');
    expect(service('kpi').environment?.TM_KPI_HOST).to.equal('0.0.0.0');
    expect(service('kpi').environment?.KAFKA_BROKERS).to.equal(service('intake').environment?.KAFKA_BROKERS);
    expect(publishes('kpi', defaultOf(pipeline.kpi.http.port))).to.equal(true);
  });

  describe('Prometheus and Grafana', () => {
    const observability = join(repoRoot, 'config', 'observability');
    const opsPort = /\bTM_OPS_PORT=(\d+)/.exec(dockerfile)?.[1];
    /** The host folder a compose volume mounts at `target`, checked to exist. */
    const mounted = (name: string, target: string) => {
      const volume = (service(name).volumes ?? []).find((v) => v.split(':')[1] === target);
      expect(volume, `${name} mounts ${target}`).to.be.a('string');
      const host = join(repoRoot, String(volume?.split(':')[0]));
      expect(host.startsWith(observability), `${host} is under config/observability`).to.equal(true);
      expect(existsSync(host), host).to.equal(true);
      return host;
    };

    it('scrapes /metrics of every runner that serves it', () => {
      const config = parse(readFileSync(mounted('prometheus', '/etc/prometheus/prometheus.yml'), 'utf8')) as {
        scrape_configs: { metrics_path?: string; static_configs: { targets: string[] }[] }[];
      };
      expect(service('prometheus').command).to.include('--config.file=/etc/prometheus/prometheus.yml');
      const targets = config.scrape_configs.flatMap((job) => {
        expect(job.metrics_path ?? '/metrics').to.equal('/metrics');
        return job.static_configs.flatMap((c) => c.targets);
      });
      expect(targets.sort()).to.deep.equal(OPS_RUNNERS.map((name) => `${name}:${opsPort}`).sort());
    });

    it('provisions Grafana with the Prometheus data source and the dashboard, whose queries name real metrics', () => {
      const provisioning = mounted('grafana', '/etc/grafana/provisioning');
      const dashboards = mounted('grafana', '/var/lib/grafana/dashboards');
      const datasources = parse(
        readFileSync(join(provisioning, 'datasources', 'prometheus.yml'), 'utf8'),
      ) as {
        datasources: { uid: string; type: string; url: string }[];
      };
      const prometheus = datasources.datasources.find((d) => d.type === 'prometheus');
      expect(prometheus?.url).to.equal(
        `http://prometheus:${service('prometheus').ports?.[0]?.split(':')[1]}`,
      );
      const providers = parse(
        readFileSync(join(provisioning, 'dashboards', 'telemarketing.yml'), 'utf8'),
      ) as {
        providers: { options: { path: string } }[];
      };
      expect(providers.providers.map((p) => p.options.path)).to.deep.equal(['/var/lib/grafana/dashboards']);
      const files = readdirSync(dashboards).filter((f) => f.endsWith('.json'));
      expect(files).to.not.be.empty;
      for (const file of files) {
        const dashboard = JSON.parse(readFileSync(join(dashboards, file), 'utf8')) as {
          uid: string;
          panels: { datasource: { uid: string }; targets: { expr: string }[] }[];
        };
        expect(dashboard.uid).to.be.a('string');
        for (const panel of dashboard.panels) {
          expect(panel.datasource.uid).to.equal(prometheus?.uid);
          for (const { expr } of panel.targets) {
            const metrics = expr.match(/\b(tm_kpi|pipeline)_[a-z_]+/g) ?? [];
            expect(metrics, expr).to.not.be.empty;
            for (const metric of metrics) expect(KNOWN_METRICS, expr).to.include(metric);
          }
        }
      }
      expect(service('grafana').environment?.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH).to.match(
        /^\/var\/lib\/grafana\/dashboards\/.+\.json$/,
      );
    });
  });
});

/** The metric names the runners export (pipeline-core's StageMetrics, the KPI stage's KpiMetrics). */
const KNOWN_METRICS = [
  'pipeline_records_in_total',
  'pipeline_records_out_total',
  'pipeline_consumer_lag',
  'pipeline_in_flight',
  'pipeline_errors_total',
  'tm_kpi_today',
  'tm_kpi_operator_today',
  'tm_kpi_tasks',
  'tm_kpi_drafts_waiting',
  'tm_kpi_oldest_draft_age_seconds',
  'tm_kpi_operators',
  'tm_kpi_late_records_total',
  'tm_kpi_update_age_seconds',
  'tm_kpi_state_flush_failures_total',
];
