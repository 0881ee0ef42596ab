import {
  AvroSchemaStore,
  avroSingleObjectSerde,
  checkSchemaEvolution,
  readSchemaHistory,
} from '@tm/pipeline-core';
import { expect } from 'chai';
import type { CallEvent } from './index.js';
import { SchemaNames, schemasDir } from './schemas.js';

describe('schemas/ evolution', () => {
  it('archives every current schema in schemas/history/, and each reads every archived version of its name (BACKWARD_TRANSITIVE); after a change run `pnpm --filter @tm/contracts schemas:archive`', () => {
    expect(checkSchemaEvolution(schemasDir)).to.deep.equal([]);
  });

  it('reads a CallEvent written before `outcome` existed, with outcome null', () => {
    const store = AvroSchemaStore.fromDirectory(schemasDir);
    const fieldsOf = (schema: unknown) =>
      (schema as { fields: { name: string }[] }).fields.map((f) => f.name);
    const older = readSchemaHistory(schemasDir)
      .map((f) => f.type)
      .find((t) => t.name === SchemaNames.callEvent && !fieldsOf(t.schema()).includes('outcome'));
    expect(older, 'the CallEvent without outcome is archived').to.not.equal(undefined);
    const written = avroSingleObjectSerde(store, older as NonNullable<typeof older>).encode({
      eventId: 'e-1',
      type: 'CALL_ENDED',
      taskId: 5,
      operatorId: 7,
      callId: 'c-1',
      phone: '79001234567',
      durationSeconds: 42,
      occurredAt: 1_700_000_000_000,
      attempt: 1,
    });
    const read = avroSingleObjectSerde<CallEvent>(store, SchemaNames.callEvent).decode(written) as CallEvent;
    expect(read.outcome).to.equal(null);
    expect(read.durationSeconds).to.equal(42);
  });
});
