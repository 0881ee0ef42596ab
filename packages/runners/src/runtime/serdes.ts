import {
  type Application,
  type CallbackRequest,
  type CallEvent,
  type Candidate,
  type CommunicationResult,
  type DialTask,
  type OperatorSession,
  type Rejection,
  SchemaNames,
  schemasDir,
} from '@tm/contracts';
import { AvroSchemaStore, avroSingleObjectSerde, type Serde } from '@tm/pipeline-core';

/** One serde per topic value, all Avro single-object encoding against schemas/ (no registry needed). */
export interface ContractSerdes {
  application: Serde<Application>;
  candidate: Serde<Candidate>;
  rejection: Serde<Rejection>;
  dialTask: Serde<DialTask>;
  callEvent: Serde<CallEvent>;
  communicationResult: Serde<CommunicationResult>;
  operatorSession: Serde<OperatorSession>;
  callbackRequest: Serde<CallbackRequest>;
}

let cached: ContractSerdes | undefined;

/** The serdes of the pipeline's topics; the schemas directory is read once per process. */
export function contractSerdes(): ContractSerdes {
  if (cached) return cached;
  const store = AvroSchemaStore.fromDirectory(schemasDir);
  cached = {
    application: avroSingleObjectSerde<Application>(store, SchemaNames.application),
    candidate: avroSingleObjectSerde<Candidate>(store, SchemaNames.candidate),
    rejection: avroSingleObjectSerde<Rejection>(store, SchemaNames.rejection),
    dialTask: avroSingleObjectSerde<DialTask>(store, SchemaNames.dialTask),
    callEvent: avroSingleObjectSerde<CallEvent>(store, SchemaNames.callEvent),
    communicationResult: avroSingleObjectSerde<CommunicationResult>(store, SchemaNames.communicationResult),
    operatorSession: avroSingleObjectSerde<OperatorSession>(store, SchemaNames.operatorSession),
    callbackRequest: avroSingleObjectSerde<CallbackRequest>(store, SchemaNames.callbackRequest),
  };
  return cached;
}
