import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { parse } from 'yaml';
import { buildProgram } from '../cli.js';

/**
 * docker-compose.yml runs the runners' image once per runner with `run <runner>` (infra/src/compose.test.ts checks
 * the file's shape); here each of those commands is checked against the `tm` program itself.
 */

const repoRoot = join(import.meta.dirname, '..', '..', '..', '..');
const compose = parse(readFileSync(join(repoRoot, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, { image?: string; build?: string; command?: string[] }>;
};
const dockerfile = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8');

/** The `tm run` subcommands the program registers. */
async function runCommands(): Promise<string[]> {
  const run = (await buildProgram()).commands.find((c) => c.name() === 'run');
  return (run?.commands ?? []).map((c) => c.name());
}

/** Runners whose compose service is in place before their command: the branch building it merges later. */
const BEING_BUILT = new Set(['dialer']);

describe('docker-compose.yml’s commands', function () {
  // The first build imports every command's module (loaded on dispatch since issue 16), from the TypeScript sources.
  this.timeout(60_000);
  const runners = Object.entries(compose.services).filter(([, s]) => s.build === '.');

  it('runs the image of ./Dockerfile for each runner, and each `tm run` command has a service', async () => {
    expect(runners.map(([name]) => name)).to.include.members(['intake', 'analyser', 'campaign', 'kpi']);
    const services = new Set(runners.map(([name]) => name));
    for (const command of await runCommands())
      expect(services, `service for tm run ${command}`).to.include(command);
  });

  for (const [name, s] of runners) {
    it(`${name}: its command is a \`tm run\` command`, async function () {
      const [group, runner, ...rest] = s.command ?? [];
      expect([group, rest]).to.deep.equal(['run', []]);
      if (BEING_BUILT.has(String(runner)) && !(await runCommands()).includes(String(runner))) this.skip(); // `tm run dialer` is built on the dialer branch; this runs once it is merged
      expect(await runCommands(), `tm run ${runner}`).to.include(runner);
      // The image's entry point is `tm`, so `command` is what follows it.
      expect(dockerfile).to.match(/^ENTRYPOINT \["node", "packages\/runners\/dist\/cli\.js"\]$/m);
    });
  }
});
