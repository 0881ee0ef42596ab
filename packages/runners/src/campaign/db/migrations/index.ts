import type { Knex } from 'knex';
import * as thesisSchema from './0001_thesis_schema.js';
import * as canceledTaskState from './0002_canceled_task_state.js';
import * as taskLifecycleKeys from './0003_task_lifecycle_keys.js';
import * as dialTaskOutbox from './0004_dial_task_outbox.js';
import * as consumedEvents from './0005_consumed_events.js';
import * as dialer from './0006_dialer.js';
import * as securityAndArm from './0007_security_and_arm.js';

/** One migration: its name as recorded in knex_migrations, and the module. */
export interface NamedMigration {
  name: string;
  migration: Knex.Migration;
}

/**
 * Every migration of the campaign database, in order. Listed by import rather than found on disk, so the same list
 * runs from the TypeScript sources (tsx) and from dist/. Append new ones; never rename or reorder applied ones.
 */
export const MIGRATIONS: readonly NamedMigration[] = [
  { name: '0001_thesis_schema', migration: thesisSchema },
  { name: '0002_canceled_task_state', migration: canceledTaskState },
  { name: '0003_task_lifecycle_keys', migration: taskLifecycleKeys },
  { name: '0004_dial_task_outbox', migration: dialTaskOutbox },
  { name: '0005_consumed_events', migration: consumedEvents },
  { name: '0006_dialer', migration: dialer },
  { name: '0007_security_and_arm', migration: securityAndArm },
];
