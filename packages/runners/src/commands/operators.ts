import { loadPipelineConfig } from '@tm/contracts';
import type { Command } from 'commander';
import { connectCampaignDb } from '../campaign/db/connect.js';
import { migrateToLatest } from '../campaign/db/migrate.js';
import {
  addOperator,
  listOperators,
  setOperatorLocked,
  setOperatorPassword,
} from '../security/operators-db.js';
import { PasswordHasher } from '../security/password.js';
import { UsageError } from '../usage-errors.js';
import { configOption, configPathOf } from './config-option.js';

/** Options every `tm operators` subcommand takes. */
export interface OperatorsOptions {
  config?: string;
  databaseUrl?: string;
}

/** The environment variable `tm operators add` and `passwd` read the password from when stdin is a terminal. */
export const PASSWORD_ENV = 'TM_OPERATOR_PASSWORD';

/**
 * The password of `tm operators add` / `passwd`: from $TM_OPERATOR_PASSWORD, else the first line of stdin (never
 * from the command line, where `ps` would show it).
 */
async function readPassword(): Promise<string> {
  const fromEnv = process.env[PASSWORD_ENV];
  if (fromEnv) return fromEnv;
  if (process.stdin.isTTY) throw new UsageError(`give the password in $${PASSWORD_ENV} or on stdin`);
  let text = '';
  for await (const chunk of process.stdin) text += String(chunk);
  const password = text.split(/\r?\n/)[0] ?? '';
  if (password.length === 0) throw new UsageError('the password on stdin is empty');
  return password;
}

async function withDb<T>(
  options: OperatorsOptions,
  body: (db: ReturnType<typeof connectCampaignDb>) => Promise<T>,
) {
  const config = loadPipelineConfig(configPathOf(options));
  const db = connectCampaignDb(options.databaseUrl ?? config.infra.databaseUrl, { poolMax: 1 });
  try {
    await migrateToLatest(db);
    return await body(db);
  } finally {
    await db.destroy();
  }
}

/** The hash of `password` as the config's `security.password` settings make it. */
async function passwordHashOf(password: string, options: OperatorsOptions): Promise<string> {
  const config = loadPipelineConfig(configPathOf(options));
  return await new PasswordHasher(config.security.password).hash(password);
}

/** `tm operators add`: resolves with the line to print. */
export async function operatorsAdd(
  login: string,
  names: { firstName: string; lastName: string },
  password: string,
  options: OperatorsOptions,
): Promise<string> {
  const passwordHash = await passwordHashOf(password, options);
  return withDb(options, async (db) => {
    const added = await addOperator(db, { login, passwordHash, ...names });
    if (!added) throw new UsageError(`login ${login} is taken`);
    return `operator ${added.id} added: ${added.login}`;
  });
}

/** `tm operators lock | unlock`: resolves with the line to print. */
export async function operatorsLock(
  login: string,
  locked: boolean,
  options: OperatorsOptions,
): Promise<string> {
  return withDb(options, async (db) => {
    const row = await setOperatorLocked(db, login, locked);
    if (!row) throw new UsageError(`no operator with login ${login}`);
    return `operator ${row.id} ${locked ? 'locked' : 'unlocked'}: ${row.login}`;
  });
}

/** `tm operators list`: resolves with the lines to print. */
export async function operatorsList(options: OperatorsOptions): Promise<string[]> {
  return withDb(options, async (db) =>
    (await listOperators(db)).map(
      (o) =>
        `${o.id}\t${o.login}\t${o.firstName} ${o.lastName}\t${o.role}\t${o.locked ? 'LOCKED' : 'active'}`,
    ),
  );
}

/** `tm operators passwd`: resolves with the line to print. */
export async function operatorsPasswd(
  login: string,
  password: string,
  options: OperatorsOptions,
): Promise<string> {
  const passwordHash = await passwordHashOf(password, options);
  return withDb(options, async (db) => {
    if (!(await setOperatorPassword(db, login, passwordHash)))
      throw new UsageError(`no operator with login ${login}`);
    return `password changed: ${login}`;
  });
}

/** `tm operators add | lock | unlock | list | passwd` (the thesis has no endpoint for managing operators). */
export function register(program: Command): void {
  const operators = program
    .command('operators')
    .description('Manage operators (TM$OPERATORS): add, lock, unlock, list, passwd.');
  const common = (c: Command) =>
    c
      .addOption(configOption())
      .option('--database-url <url>', 'PostgreSQL URL (default: infra.database.url of the config)');
  common(
    operators
      .command('add <login>')
      .description(`Add an operator; the password comes from $${PASSWORD_ENV} or the first line of stdin`)
      .requiredOption('--first-name <name>', 'first name (at most 32 characters)')
      .requiredOption('--last-name <name>', 'last name (at most 32 characters)'),
  ).action(async (login: string, options: OperatorsOptions & { firstName: string; lastName: string }) => {
    if (options.firstName.length > 32 || options.lastName.length > 32) {
      throw new UsageError('first and last names are at most 32 characters');
    }
    const names = { firstName: options.firstName, lastName: options.lastName };
    console.log(await operatorsAdd(login, names, await readPassword(), options));
  });
  common(
    operators.command('lock <login>').description('Lock an operator: refused at login and every check'),
  ).action(async (login: string, options: OperatorsOptions) =>
    console.log(await operatorsLock(login, true, options)),
  );
  common(operators.command('unlock <login>').description('Unlock an operator')).action(
    async (login: string, options: OperatorsOptions) =>
      console.log(await operatorsLock(login, false, options)),
  );
  common(operators.command('list').description('List operators: id, login, name, role, locked')).action(
    async (options: OperatorsOptions) => {
      for (const line of await operatorsList(options)) console.log(line);
    },
  );
  common(
    operators
      .command('passwd <login>')
      .description(`Set an operator's password from $${PASSWORD_ENV} or the first line of stdin`),
  ).action(async (login: string, options: OperatorsOptions) =>
    console.log(await operatorsPasswd(login, await readPassword(), options)),
  );
}
