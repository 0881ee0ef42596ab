import { expect } from 'chai';
import { Registry } from 'prom-client';
import { StageMetrics } from './metrics.js';

describe('StageMetrics', () => {
  it('exposes counts, gauges read at scrape time, and a cumulative latency histogram', async () => {
    const registry = new Registry();
    const metrics = new StageMetrics(registry);
    const meter = metrics.forStage('enrich', () => ({ inFlight: 7, paused: true }));
    meter.recordIn('orders');
    meter.recordIn('orders');
    meter.recordOut('orders-enriched');
    meter.processed(0.003);
    meter.processed(0.2);
    meter.processed(100);
    meter.error('decode');
    const text = await registry.metrics();
    expect(text).to.contain('pipeline_records_in_total{stage="enrich",topic="orders"} 2');
    expect(text).to.contain('pipeline_records_out_total{stage="enrich",topic="orders-enriched"} 1');
    expect(text).to.contain('pipeline_in_flight{stage="enrich"} 7');
    expect(text).to.contain('pipeline_paused{stage="enrich"} 1');
    expect(text).to.contain('pipeline_errors_total{stage="enrich",kind="decode"} 1');
    expect(text).to.contain('# TYPE pipeline_processing_seconds histogram');
    expect(text).to.contain('pipeline_processing_seconds_bucket{stage="enrich",le="0.001"} 0');
    expect(text).to.contain('pipeline_processing_seconds_bucket{stage="enrich",le="0.005"} 1');
    expect(text).to.contain('pipeline_processing_seconds_bucket{stage="enrich",le="0.25"} 2');
    expect(text).to.contain('pipeline_processing_seconds_bucket{stage="enrich",le="+Inf"} 3');
    expect(text).to.contain('pipeline_processing_seconds_count{stage="enrich"} 3');
    // a second scrape does not count twice
    expect(await registry.metrics()).to.contain('pipeline_records_in_total{stage="enrich",topic="orders"} 2');
  });
});
