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
  container_name?: string;
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
const RUNNERS = ['simulators', 'intake', 'analyser', 'campaign', 'dialer', 'security', 'arm', 'kpi'];
/** The runners that serve /healthz, /readyz and /metrics on the image's ops port. */
const OPS_RUNNERS = ['intake', 'analyser', 'campaign', 'dialer', 'security', 'arm', 'kpi'];

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
    for (const name of ['intake', 'analyser', 'campaign', 'dialer', 'security', 'arm']) {
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

    it('scrapes /metrics of every replica of every runner that serves it, found by the compose network’s DNS', () => {
      const config = parse(readFileSync(mounted('prometheus', '/etc/prometheus/prometheus.yml'), 'utf8')) as {
        scrape_configs: {
          metrics_path?: string;
          static_configs?: { targets: string[] }[];
          dns_sd_configs?: { names: string[]; type: string; port: number }[];
        }[];
      };
      expect(service('prometheus').command).to.include('--config.file=/etc/prometheus/prometheus.yml');
      const targets = config.scrape_configs.flatMap((job) => {
        expect(job.metrics_path ?? '/metrics').to.equal('/metrics');
        // A static `analyser:9464` would reach one replica of a scaled service, a different one each time.
        expect(job.static_configs, 'static targets').to.equal(undefined);
        return (job.dns_sd_configs ?? []).flatMap((c) => {
          expect(c.type).to.equal('A');
          return c.names.map((name) => `${name}:${c.port}`);
        });
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
            const metrics = expr.match(/\b(tm_kpi|pipeline|process|nodejs)_[a-z0-9_]+/g) ?? [];
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

describe('docker-compose.yml: scaling and the dialer', () => {
  it('lets `docker compose up --scale analyser=2` start two analysers with instance ids of their own', () => {
    const analyser = service('analyser');
    // A fixed name or a published host port can belong to one container only.
    expect(analyser.container_name, 'container_name').to.equal(undefined);
    expect(analyser.ports ?? [], 'published ports').to.deep.equal([]);
    // The instance id (the transactional id) defaults to the host name, which compose gives each replica; a
    // TM_INSTANCE_ID here would give both replicas one id, and they would fence each other.
    expect(analyser.environment ?? {}).not.to.have.property('TM_INSTANCE_ID');
    for (const [name, s] of Object.entries(compose.services))
      expect(s.container_name, `${name} container_name`).to.equal(undefined);
  });

  it('points the dialer at the telephony simulator, with the key and secret the simulator expects', () => {
    const dialer = service('dialer').environment ?? {};
    const simulators = service('simulators').environment ?? {};
    const telephony = (pipeline.simulators as Record<string, { port?: number }>).telephony;
    // 7104 is the telephony simulator's default port (simulators.telephony.port) until the config lists it.
    const port = telephony?.port ?? 7104;
    const url = new URL(String(dialer.TM_TELEPHONY_URL));
    expect([url.hostname, Number(url.port)]).to.deep.equal(['simulators', port]);
    expect(publishes('simulators', port)).to.equal(true);
    for (const variable of ['TM_TELEPHONY_API_KEY', 'TM_TELEPHONY_OPERATOR_SECRET']) {
      expect(dialer[variable], variable).to.be.a('string').and.not.be.empty;
      expect(dialer[variable], variable).to.equal(simulators[variable]);
    }
  });
});

/** One instruction of a Dockerfile: `COPY --from=build /a b` is { name: 'COPY', args: '--from=build /a b' }. */
interface Instruction {
  name: string;
  args: string;
}

/** The stages of a Dockerfile, in order: comments dropped, `\`-continued lines joined. */
function dockerStages(text: string): { from: string; as?: string; instructions: Instruction[] }[] {
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const stages: { from: string; as?: string; instructions: Instruction[] }[] = [];
  for (const line of lines) {
    const [, name = '', args = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    if (name.toUpperCase() === 'FROM') {
      const [from = '', , as] = args.split(/\s+/);
      stages.push({ from, ...(as ? { as } : {}), instructions: [] });
    } else {
      const stage = stages.at(-1);
      if (!stage) throw new Error(`Dockerfile: ${line} before the first FROM`);
      stage.instructions.push({ name: name.toUpperCase(), args });
    }
  }
  return stages;
}

describe('Dockerfile (read, since no Docker engine runs here)', () => {
  const stages = dockerStages(dockerfile);
  const runtime = stages.at(-1);
  const stage = (name: string) => {
    const found = stages.find((s) => s.as === name);
    if (!found) throw new Error(`Dockerfile has no stage ${name}`);
    return found;
  };
  const runs = (s: { instructions: Instruction[] }) =>
    s.instructions.filter((i) => i.name === 'RUN').map((i) => i.args);
  const copiesFrom = (s: { instructions: Instruction[] }, from: string) =>
    s.instructions
      .filter((i) => i.name === 'COPY' && i.args.includes(`--from=${from} `))
      .map((i) => i.args.split(/\s+/).filter((a) => !a.startsWith('--')));

  it('builds in stages on one Node 22 image pinned to its patch release', () => {
    expect(stages.length).to.be.greaterThanOrEqual(3);
    const images = stages.map((s) => s.from).filter((from) => !stages.some((st) => st.as === from));
    for (const image of images) expect(image).to.match(/^node:22\.\d+\.\d+-[a-z]+-slim$/);
    expect(new Set(images).size).to.equal(1);
    expect(runtime?.from).to.equal(images[0]);
  });

  it('compiles with every dependency in a build stage', () => {
    const build = stage('build');
    expect(runs(build)).to.include('pnpm install --frozen-lockfile');
    expect(runs(build)).to.include('pnpm build');
  });

  it('gives the runtime only production dependencies beside the build output', () => {
    const prod = stage('prod');
    const installs = runs(prod).filter((r) => /\bpnpm (install|i|add|deploy)\b/.test(r));
    expect(installs).to.deep.equal(['pnpm install --frozen-lockfile --prod --filter-prod "@tm/runners..."']);
    // Only compiled output comes from the build stage, never its node_modules with the devDependencies.
    const fromBuild = copiesFrom(prod, 'build');
    expect(fromBuild.map(([source]) => source).sort()).to.deep.equal(
      ['contracts', 'filters', 'pipeline-core', 'runners', 'web'].map((p) => `/app/packages/${p}/dist`),
    );
    // The runtime stage installs nothing and takes everything from the production stage.
    expect(runs(runtime ?? { instructions: [] }).filter((r) => /\b(pnpm|npm|yarn)\b/.test(r))).to.deep.equal(
      [],
    );
    const copies = (runtime?.instructions ?? []).filter((i) => i.name === 'COPY');
    expect(copies.map((c) => c.args)).to.deep.equal(['--from=prod /app /app']);
  });

  it('installs from the manifests of every workspace package, so the frozen lockfile matches', () => {
    const workspace = parse(readFileSync(join(repoRoot, 'pnpm-workspace.yaml'), 'utf8')) as {
      packages: string[];
    };
    const manifests = workspace.packages.flatMap((glob) =>
      glob.endsWith('/*')
        ? readdirSync(join(repoRoot, glob.slice(0, -2))).map((d) => `${glob.slice(0, -2)}/${d}/package.json`)
        : [`${glob}/package.json`],
    );
    const copied = stage('manifests')
      .instructions.filter((i) => i.name === 'COPY')
      .map((i) => i.args.split(/\s+/)[0]);
    for (const manifest of manifests.filter((m) => existsSync(join(repoRoot, m))))
      expect(copied, manifest).to.include(manifest);
    expect(copied).to.include('patches'); // pnpm-workspace.yaml's patchedDependencies
    const preinstall = (
      JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
        scripts: Record<string, string>;
      }
    ).scripts.preinstall;
    for (const file of preinstall?.match(/\S+\.sh\b/g) ?? [])
      expect(copied, `${file}, which the root package's preinstall runs`).to.include(file);
  });

  it('runs as the unprivileged user node, with the heap limit of ADR 0066 and the config and schemas it reads', () => {
    const users = (runtime?.instructions ?? []).filter((i) => i.name === 'USER').map((i) => i.args);
    expect(users).to.have.length.greaterThan(0);
    expect(users.at(-1)).not.to.match(/^(root|0)(:|$)/);
    expect(users.at(-1)).to.equal('node');
    const env = (runtime?.instructions ?? [])
      .filter((i) => i.name === 'ENV')
      .map((i) => i.args)
      .join(' ');
    expect(env).to.match(/\bNODE_OPTIONS=--max-old-space-size=256\b/);
    expect(env).to.match(/\bNODE_ENV=production\b/);
    const copiedToProd = stage('prod')
      .instructions.filter((i) => i.name === 'COPY' && !i.args.startsWith('--'))
      .map((i) => i.args);
    expect(copiedToProd).to.include.members(['config config', 'schemas schemas']);
  });

  it('keeps dependencies, build output and secrets out of the build context (.dockerignore)', () => {
    const ignored = readFileSync(join(repoRoot, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    expect(ignored).to.include.members(['**/node_modules', '**/dist', '.git', '.env', '!.env.example']);
  });
});

/**
 * The metric names the runners export (pipeline-core's StageMetrics, the KPI stage's KpiMetrics, and prom-client's
 * default process metrics that runRunner adds: runners/src/runtime/run-runner.test.ts reads them from /metrics).
 */
const KNOWN_METRICS = [
  'process_resident_memory_bytes',
  'nodejs_eventloop_lag_p99_seconds',
  'nodejs_heap_size_used_bytes',
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
