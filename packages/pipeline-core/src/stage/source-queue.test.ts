import { expect } from 'chai';
import type { RawRecord } from '../record.js';
import type { TopicPartition, TransportConsumer } from '../transport/types.js';
import { SourceQueue } from './source-queue.js';

const raw = (offset: number, partition = 0): RawRecord => ({
  topic: 'in',
  partition,
  offset,
  key: null,
  value: Buffer.from(String(offset)),
  headers: {},
  timestamp: 0,
});

const partitions: TopicPartition[] = [
  { topic: 'in', partition: 0 },
  { topic: 'in', partition: 1 },
];

/** A queue over a pipeline that takes at most `room` records until `settle` frees them. */
function harness(room: number) {
  const emitted: number[] = [];
  const calls: string[] = [];
  let inFlight = 0;
  let accepting = true;
  const consumer = {
    pause: (p: readonly TopicPartition[]) => calls.push(`pause ${p.length}`),
    resume: (p: readonly TopicPartition[]) => calls.push(`resume ${p.length}`),
  } as unknown as TransportConsumer;
  let onEmit: (offset: number) => void = () => {};
  const queue = new SourceQueue({
    accepting: () => accepting,
    hasRoom: () => inFlight < room,
    emit: (r) => {
      inFlight += 1;
      emitted.push(r.offset);
      onEmit(r.offset);
    },
    afterDrain: () => calls.push('afterDrain'),
    consumer: () => consumer,
  });
  return {
    queue,
    emitted,
    calls,
    settle: (n: number) => {
      inFlight -= n;
    },
    setAccepting: (value: boolean) => {
      accepting = value;
    },
    onEmit: (f: (offset: number) => void) => {
      onEmit = f;
    },
  };
}

describe('SourceQueue', () => {
  it('hands records over in the order fetched, skipping those below the first undecided offset', () => {
    const h = harness(100);
    h.queue.assign(partitions);
    h.queue.add([raw(3), raw(4), raw(5), raw(6)], 5);
    h.queue.drain();
    expect(h.emitted).to.deep.equal([5, 6]);
    expect(h.queue.queued).to.equal(0);
  });

  it('pauses the assigned partitions while records wait, and resumes them once all are taken and there is room', () => {
    const h = harness(2);
    h.queue.assign(partitions);
    h.calls.length = 0;
    h.queue.add([raw(0), raw(1), raw(2), raw(3)], -1);
    h.queue.drain();
    expect(h.emitted).to.deep.equal([0, 1]);
    expect([h.queue.queued, h.queue.paused, h.queue.needsDrain]).to.deep.equal([2, true, true]);
    expect(h.calls).to.deep.equal(['afterDrain', 'pause 2']);

    h.settle(2);
    h.queue.drain();
    expect(h.emitted).to.deep.equal([0, 1, 2, 3]);
    expect(h.queue.paused, 'no room yet: stays paused').to.equal(true);

    h.settle(2);
    h.queue.drain();
    expect([h.queue.queued, h.queue.paused, h.queue.needsDrain]).to.deep.equal([0, false, false]);
    expect(h.calls).to.deep.equal(['afterDrain', 'pause 2', 'afterDrain', 'afterDrain', 'resume 2']);
  });

  it('hands nothing over while the pipeline does not accept records', () => {
    const h = harness(100);
    h.queue.assign(partitions);
    h.setAccepting(false);
    h.queue.add([raw(0), raw(1)], -1);
    h.queue.drain();
    expect(h.emitted).to.deep.equal([]);
    h.setAccepting(true);
    h.queue.drain();
    expect(h.emitted).to.deep.equal([0, 1]);
  });

  it('goes round again when a record settles as it is handed over, without draining twice at once', () => {
    const h = harness(1);
    h.queue.assign(partitions);
    h.queue.add([raw(0), raw(1), raw(2)], -1);
    // The pipeline settles each record synchronously, and the settlement asks for a drain.
    h.onEmit(() => {
      h.settle(1);
      h.queue.drain();
    });
    h.queue.drain();
    expect(h.emitted).to.deep.equal([0, 1, 2]);
    expect(h.calls.filter((c) => c === 'afterDrain')).to.have.length(1);
  });

  it('forgets queued records and resumes every partition on a new assignment', () => {
    const h = harness(0);
    h.queue.assign(partitions);
    h.queue.add([raw(0), raw(1)], -1);
    h.queue.drain();
    expect(h.queue.paused).to.equal(true);
    h.calls.length = 0;
    h.queue.assign(partitions.slice(0, 1));
    expect([h.queue.queued, h.queue.paused, h.queue.assigned.length]).to.deep.equal([0, false, 1]);
    expect(h.calls).to.deep.equal(['resume 1']);
  });

  it('pauses and forgets on stopping without counting itself paused; reset forgets the partitions too', () => {
    const h = harness(100);
    h.queue.assign(partitions);
    h.queue.add([raw(0)], -1);
    h.calls.length = 0;
    h.queue.stopFetching();
    expect(h.calls).to.deep.equal(['pause 2']);
    expect([h.queue.queued, h.queue.paused]).to.deep.equal([0, false]);
    h.queue.reset();
    expect(h.queue.assigned).to.deep.equal([]);
  });

  it('keeps handing records over in order across the compaction of a long queue', () => {
    const h = harness(10_000);
    h.queue.assign(partitions);
    const records = Array.from({ length: 6000 }, (_, i) => raw(i));
    h.queue.add(records.slice(0, 5000), -1);
    h.queue.drain();
    h.queue.add(records.slice(5000), -1);
    h.queue.drain();
    expect(h.emitted).to.have.length(6000);
    expect(h.emitted.every((offset, i) => offset === i)).to.equal(true);
  });
});
