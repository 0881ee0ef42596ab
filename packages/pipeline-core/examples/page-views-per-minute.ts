/**
 * A stateful stage: page views per page per minute and per day (days starting at midnight UTC+3), with a
 * changelog so a restart — even a kill -9 — resumes with the same counts. Views that arrive up to 30 s out of
 * order still count; later ones are counted as late. The stage produces nothing: it keeps the latest value of
 * every window in `latest`, which a dashboard or an HTTP endpoint would read, and counts late window updates.
 */
import {
  createStage,
  jsonSerde,
  StateStores,
  TimeWindows,
  type Transport,
  type WindowedValue,
  windowAggregate,
} from '@tm/pipeline-core';
import { ignoreElements, tap } from 'rxjs';

export interface PageView {
  page: string;
  /** When the page was viewed, epoch ms. */
  at: number;
}

const minutes = TimeWindows.of(TimeWindows.MINUTE, { graceMs: 30_000, retentionMs: TimeWindows.HOUR });
const days = TimeWindows.of(TimeWindows.DAY, {
  offsetMs: -3 * TimeWindows.HOUR,
  graceMs: 30_000,
  retentionMs: 2 * TimeWindows.DAY,
});

export async function pageViewsStage(transport: Transport, topic = 'page-views') {
  const state = await StateStores.restore({
    transport,
    applicationId: 'page-views',
    stores: { windows: { kind: 'windowed', retentionMs: days.retentionMs } },
  });
  const latest = new Map<string, WindowedValue<number>>();
  let late = 0;
  const stage = createStage({
    name: 'page-views',
    transport,
    input: { topics: topic, serde: jsonSerde<PageView>() },
    process: (views) =>
      views.pipe(
        windowAggregate({
          windows: (key) => (key.startsWith('day|') ? days : minutes),
          keysOf: (r) => [`minute|${r.value.page}`, `day|${r.value.page}`],
          timestampOf: (r) => r.value.at,
          initial: () => 0,
          aggregate: (count) => count + 1,
          state,
          idleMs: 500, // a partition silent for half a second no longer holds the windows open
          onLate: () => {
            late += 1;
          },
        }),
        tap((changed) => {
          for (const w of changed) latest.set(`${w.key}@${w.window.start}`, w);
        }),
        ignoreElements(), // every record was acked by windowAggregate once its counts were durable
      ),
  });
  return {
    stage,
    latest,
    late: () => late,
    /** Stops the stage, then releases the changelog producer. */
    async stop() {
      await stage.stop();
      await state.close();
    },
  };
}
