// What a finished run left in storage, read once: the invariants and the shapes both look at it.
import type { LocalForgeRuntime } from '../local-runtime/index.js';
import type { AnyWriter, DeadLetterRecord, ReceiptRecord, StateRecord } from '../src/shared/writer/index.js';

export interface RunRecords {
  receipts: Map<string, ReceiptRecord>;
  states: Map<string, StateRecord<unknown>>;
  letters: DeadLetterRecord[];
}

export function readRecords(rt: LocalForgeRuntime, writer: AnyWriter): RunRecords {
  const { entities } = writer.config;
  return {
    receipts: new Map(rt.storage.listEntity(entities.receipt).map((i) => [i.key, i.value as ReceiptRecord])),
    states: new Map(
      rt.storage.listEntity(entities.state).map((i) => [i.key, i.value as StateRecord<unknown>]),
    ),
    letters: rt.storage.listEntity(entities.deadLetter).map((i) => i.value as DeadLetterRecord),
  };
}
