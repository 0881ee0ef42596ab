import { join } from 'node:path';

/** The repository's schemas/ directory: one Avro schema per topic value, the single source of message shapes. */
export const schemasDir = join(import.meta.dirname, '..', '..', '..', 'schemas');

/** Full Avro names of the topic value schemas. */
export const SchemaNames = {
  application: 'tm.Application',
  candidate: 'tm.Candidate',
  rejection: 'tm.Rejection',
  dialTask: 'tm.DialTask',
  callEvent: 'tm.CallEvent',
  communicationResult: 'tm.CommunicationResult',
  operatorSession: 'tm.OperatorSession',
  callbackRequest: 'tm.CallbackRequest',
} as const;
