/** SQLSTATE classes and codes after which the same call may succeed: serialization, deadlock, shutdown, I/O. */
const RETRIABLE_SQLSTATES = new Set(['40001', '40P01', '55P03', '57P01', '57P02', '57P03', '53300']);
const RETRIABLE_SQLSTATE_CLASSES = ['08'];
const RETRIABLE_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE']);

/**
 * Messages of failures without a code that mean the connection was lost, not that the statement is wrong: pg's
 * "Connection terminated (unexpectedly)", "Connection ended unexpectedly", "Client has encountered a connection error
 * and is not queryable" (a query on a client whose socket broke; knex prefixes the rollback's with "ROLLBACK - ", seen
 * dead-lettering a call event in `pnpm chaos` at a PostgreSQL restart), "Client was closed and is not queryable", and
 * knex's pool timeout.
 */
const CONNECTION_LOST =
  /Connection terminated|Connection ended unexpectedly|is not queryable|timeout acquiring a connection/i;

/**
 * Unique constraints a concurrent writer can trip that a retry resolves: the retry sees the other writer's row and
 * takes the path for it (the one-open-task-per-client index, ADR 0031).
 */
const RACE_CONSTRAINTS = new Set(['tm$campaign_tasks_open_uq']);

/** Whether a failure of a database call is worth retrying unchanged (connection lost, deadlock, a race, ...). */
export function isRetriablePgError(cause: unknown): boolean {
  const code = (cause as { code?: unknown } | null)?.code;
  const constraint = (cause as { constraint?: unknown } | null)?.constraint;
  if (code === '23505' && typeof constraint === 'string' && RACE_CONSTRAINTS.has(constraint)) return true;
  if (typeof code !== 'string') {
    return cause instanceof Error && CONNECTION_LOST.test(cause.message);
  }
  return (
    RETRIABLE_SQLSTATES.has(code) ||
    RETRIABLE_NODE_CODES.has(code) ||
    RETRIABLE_SQLSTATE_CLASSES.some((prefix) => code.startsWith(prefix))
  );
}

/**
 * A campaign-database operation failed. Carries the operation, its context (counts and ids; never a phone number
 * or a name), the PostgreSQL SQLSTATE when there is one, and whether retrying may help.
 */
export class CampaignDbError extends Error {
  readonly sqlState: string | undefined;
  readonly retriable: boolean;

  constructor(
    readonly operation: string,
    readonly context: Readonly<Record<string, string | number | boolean>>,
    cause: unknown,
  ) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    const where = Object.entries(context)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    super(`${operation} failed${where ? ` (${where})` : ''}: ${detail}`, { cause });
    this.name = 'CampaignDbError';
    const code = (cause as { code?: unknown } | null)?.code;
    this.sqlState = typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
    this.retriable = isRetriablePgError(cause);
  }
}

/** Runs `body`, turning any failure into a {@link CampaignDbError} for `operation` with `context`. */
export async function withDbContext<T>(
  operation: string,
  context: Readonly<Record<string, string | number | boolean>>,
  body: () => Promise<T>,
): Promise<T> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof CampaignDbError) throw err;
    throw new CampaignDbError(operation, context, err);
  }
}
