import { jsonSerde } from '@tm/pipeline-core';
import { eventually, StageTestDriver } from '@tm/pipeline-core/testing';
import { expect } from 'chai';
import { type PageView, pageViewsStage } from './page-views-per-minute.js';

const at = (iso: string) => Date.parse(iso);
const countsOf = (latest: Map<string, { key: string; value: number; window: { start: number } }>) =>
  Object.fromEntries(
    [...latest.values()].map((w) => [`${w.key}@${new Date(w.window.start).toISOString()}`, w.value]).sort(),
  );

describe('example: page views per minute, restarted', () => {
  it('counts out-of-order views per minute and per Moscow day, and resumes after a crash with the same counts', async () => {
    const driver = new StageTestDriver().createTopic('page-views', 1);
    const serde = jsonSerde<PageView>();
    const views = (list: [string, string][]) =>
      list.map(([page, iso]) => ({ key: page, value: { page, at: at(iso) } }));
    driver.pipeInput(
      'page-views',
      serde,
      views([
        ['/home', '2024-03-01T20:59:10Z'],
        ['/home', '2024-03-01T21:00:05Z'], // a new Moscow day
        ['/home', '2024-03-01T20:59:50Z'], // 15 s out of order: still counts
        ['/cart', '2024-03-01T21:00:30Z'],
      ]),
    );
    const first = await pageViewsStage(driver.transport);
    await first.stage.start();
    await eventually(() => first.latest.size === 6, 'six windows');
    // stream time holds still for idleMs after the start; let it move and be flushed before the crash
    await new Promise((r) => setTimeout(r, 1_000));
    // a crash: no graceful stop, nothing committed by the consumer group
    await first.stage.abort();

    driver.pipeInput(
      'page-views',
      serde,
      views([
        ['/cart', '2024-03-01T21:01:40Z'],
        ['/home', '2024-03-01T20:58:00Z'],
      ]),
    );
    const second = await pageViewsStage(driver.transport);
    await second.stage.start();
    await eventually(
      () => countsOf(second.latest)['minute|/cart@2024-03-01T21:01:00.000Z'] === 1,
      'the new view',
    );
    // 20:58 came after stream time passed 21:01: late for its minute and for its day, both closed
    await eventually(() => second.late() === 2, 'the late view dropped from both its windows');
    await second.stop();
    expect(countsOf(second.latest)).to.deep.equal({
      'day|/cart@2024-03-01T21:00:00.000Z': 2,
      'day|/home@2024-02-29T21:00:00.000Z': 2,
      'day|/home@2024-03-01T21:00:00.000Z': 1,
      'minute|/cart@2024-03-01T21:00:00.000Z': 1,
      'minute|/cart@2024-03-01T21:01:00.000Z': 1,
      'minute|/home@2024-03-01T20:59:00.000Z': 2,
      'minute|/home@2024-03-01T21:00:00.000Z': 1,
    });
  });
});
