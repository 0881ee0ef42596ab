import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect } from 'chai';
import { parse } from 'yaml';
import { repoRoot } from './paths.js';

/**
 * `.env.example` lists every environment variable the runners read. The variables are found in the sources of
 * packages/*\/src (tests, test support and benchmarks left out) and in config/pipeline.yaml, so a runner that starts
 * reading a new one fails this test until the list has it.
 */

/** Source files no runner runs: tests, what only they load, and the chaos harness (`pnpm chaos`, a test tool). */
const NOT_SHIPPED = /(\.test\.|test-support\.|\.bench\.|\/testing\/|\/fixtures\/|\/e2e\/|\/chaos\/)/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(entry.name) && !NOT_SHIPPED.test(path) ? [path] : [];
  });
}

/** CSV_EVENTS_BASE_FOLDER for csv-events-base-folder: contracts' relaxedEnvName, the override of a key reference. */
const relaxedEnvName = (keyPath: string) => keyPath.toUpperCase().replace(/[.-]/g, '_');

/** Every variable a source reads, with the files that read it. */
function variablesRead(): Map<string, Set<string>> {
  const read = new Map<string, Set<string>>();
  const add = (name: string, file: string) => {
    if (!read.has(name)) read.set(name, new Set());
    read.get(name)?.add(relative(repoRoot, file));
  };
  const packages = join(repoRoot, 'packages');
  for (const pkg of readdirSync(packages)) {
    const src = join(packages, pkg, 'src');
    if (!existsSync(src)) continue;
    for (const file of sourceFiles(src)) {
      const text = readFileSync(file, 'utf8');
      for (const pattern of [
        /\bTM_[A-Z][A-Z0-9_]*\b/g, // the project's own variables, wherever named (constants, help texts)
        /\benv\.([A-Z][A-Z0-9_]*)\b/g, // process.env.NAME, env.NAME
        /\benv\[\s*['"]([A-Z][A-Z0-9_]*)['"]\s*\]/g, // process.env['NAME']
        /\benv:\s*['"]([A-Z][A-Z0-9_]*)['"]/g, // { env: 'NAME', fallback } (contracts' INFRA_DEFAULTS)
      ]) {
        for (const match of text.matchAll(pattern)) add(match[1] ?? match[0], file);
      }
    }
  }
  const config = join(repoRoot, 'config', 'pipeline.yaml');
  for (const value of stringsOf(parse(readFileSync(config, 'utf8')))) {
    for (const match of value.matchAll(/\$\{([^}:]+)(?::[^}]*)?\}/g)) {
      const name = (match[1] ?? '').trim();
      // ${NAME:default} reads NAME; ${some.key} refers to a key, which NAME's relaxed spelling overrides.
      add(/^[A-Z][A-Z0-9_]*$/.test(name) ? name : relaxedEnvName(name), config);
    }
  }
  return read;
}

/** The string values of a parsed YAML document (its comments, which show placeholders as examples, are not). */
function stringsOf(node: unknown): string[] {
  if (typeof node === 'string') return [node];
  if (Array.isArray(node)) return node.flatMap(stringsOf);
  if (node !== null && typeof node === 'object') return Object.values(node).flatMap(stringsOf);
  return [];
}

/** The `# NAME=value` entries of .env.example, each with the comment lines above it. */
function envExample(): Map<string, string> {
  const entries = new Map<string, string>();
  let comment: string[] = [];
  for (const line of readFileSync(join(repoRoot, '.env.example'), 'utf8').split('\n')) {
    const entry = /^#?\s*([A-Z][A-Z0-9_]*)=/.exec(line);
    if (entry?.[1]) {
      if (entries.has(entry[1])) throw new Error(`.env.example lists ${entry[1]} twice`);
      entries.set(entry[1], comment.join(' '));
      comment = [];
    } else if (line.startsWith('#') && !line.startsWith('# ---')) comment.push(line.replace(/^#\s?/, ''));
    else comment = [];
  }
  return entries;
}

/**
 * Variables listed before the code that reads them is merged: the dialer (`tm run dialer`) and the telephony
 * simulator are built on other branches. Once run-dialer.ts exists, each must be read like any other.
 */
const BEING_BUILT = ['TM_TELEPHONY_URL', 'TM_TELEPHONY_API_KEY', 'TM_TELEPHONY_OPERATOR_SECRET'];
const dialerMerged = existsSync(join(repoRoot, 'packages', 'runners', 'src', 'commands', 'run-dialer.ts'));

describe('.env.example', () => {
  const read = variablesRead();
  const listed = envExample();

  it('finds the variables the runners read (the scan is not empty)', () => {
    expect([...read.keys()]).to.include.members([
      'KAFKA_BROKERS',
      'DATABASE_URL',
      'SCHEMA_REGISTRY_URL',
      'TM_OPS_PORT',
      'TM_CONFIG',
      'LOG_LEVEL',
      'TM_INSTANCE_ID',
      'CSV_EVENTS_BASE_FOLDER',
    ]);
  });

  it('lists every environment variable a runner reads', () => {
    const missing = [...read.entries()]
      .filter(([name]) => !listed.has(name))
      .map(([name, files]) => `${name} (${[...files].join(', ')})`);
    expect(missing, 'read but not in .env.example').to.deep.equal([]);
  });

  it('lists only variables a runner reads', () => {
    const unread = [...listed.keys()].filter(
      (name) => !read.has(name) && !(BEING_BUILT.includes(name) && !dialerMerged),
    );
    expect(unread, 'in .env.example but read nowhere').to.deep.equal([]);
  });

  it('gives each variable a comment with its default', () => {
    for (const [name, comment] of listed) expect(comment, name).to.match(/\bDefault\b/);
  });

  it('lists every variable docker-compose.yml sets for a runner', () => {
    const compose = parse(readFileSync(join(repoRoot, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
      services: Record<string, { build?: string; environment?: Record<string, unknown> }>;
    };
    for (const [service, s] of Object.entries(compose.services).filter(([, s]) => s.build === '.')) {
      for (const name of Object.keys(s.environment ?? {}))
        expect(listed.has(name), `${service}: ${name}`).to.equal(true);
    }
    const dockerfile = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8');
    for (const [, name] of dockerfile.matchAll(/\b(TM_[A-Z0-9_]+)=/g))
      expect(listed.has(String(name)), `Dockerfile: ${name}`).to.equal(true);
  });
});
