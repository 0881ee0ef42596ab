import { useEffect, useRef } from 'preact/hooks';
import uPlot, { type AlignedData, type Options } from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatMoscowTick, MOSCOW } from '../shared/format.js';

export interface ChartLine {
  label: string;
  color: string;
  values: number[];
}

interface ChartProps {
  title: string;
  /** Window starts, epoch ms, ascending. */
  times: number[];
  lines: ChartLine[];
  height?: number;
}

/**
 * A uPlot line chart of window counts. uPlot wants columnar data with x ascending and, by default, in seconds:
 * `ms: 1` makes it read our epoch milliseconds (leeoniya/uPlot#60). It has no fluid width, so a ResizeObserver
 * drives `setSize` (leeoniya/uPlot#233). New data goes in with `setData`, keeping the chart object.
 */
export function Chart({ title, times, lines, height = 220 }: ChartProps) {
  const host = useRef<HTMLElement>(null);
  const plot = useRef<uPlot | null>(null);
  const data: AlignedData = [times, ...lines.map((l) => l.values)];
  const shape = lines.map((l) => l.label).join('|');

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const options: Options = {
      title,
      width: Math.max(200, el.clientWidth),
      height,
      ms: 1,
      tzDate: (ts) => uPlot.tzDate(new Date(ts), MOSCOW),
      scales: { x: { time: true }, y: { range: (_u, min, max) => [0, Math.max(1, max, min)] } },
      axes: [
        {
          // Russian 24-hour ticks in Moscow time (uPlot's own are English, 12-hour); the first tick carries the date
          values: (_u, splits) => splits.map((ts, i) => formatMoscowTick(ts, i === 0)),
          size: 48,
        },
        { size: 56 },
      ],
      series: [
        {},
        ...lines.map((l) => ({ label: l.label, stroke: l.color, width: 2, points: { show: false } })),
      ],
      legend: { live: false },
    };
    const chart = new uPlot(options, data, el);
    plot.current = chart;
    const resize = new ResizeObserver(() => chart.setSize({ width: Math.max(200, el.clientWidth), height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      chart.destroy();
      plot.current = null;
    };
  }, [shape, height, title]);

  useEffect(() => {
    plot.current?.setData(data);
  });

  return <figure class="chart" ref={host} aria-label={title} />;
}
