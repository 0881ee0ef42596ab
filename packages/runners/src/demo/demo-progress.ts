import { MultiBar, Presets, type SingleBar } from 'cli-progress';

/** Where the demo reports what it is doing. */
export interface DemoProgress {
  phase(text: string): void;
  counts(counts: { published: number; analysed: number; candidates: number; tasks: number }): void;
  /** The call loop: tasks closed (DONE or CANCELED) of all, calls made, results saved by the operators. */
  calls(counts: { tasks: number; closed: number; calls: number; results: number }): void;
  stop(): void;
}

/** How often the call loop's figures are printed as a line when the output is not a terminal. */
const CALL_LINE_EVERY_MS = 5_000;

/**
 * Bars on a terminal (applications analysed, candidates stored as tasks, tasks closed by the call loop), plain
 * lines otherwise: the phases, and the call loop's figures every five seconds.
 */
export function demoProgress(stream: NodeJS.WriteStream = process.stderr): DemoProgress {
  const started = Date.now();
  const line = (text: string) =>
    stream.write(`[demo ${((Date.now() - started) / 1000).toFixed(1)}s] ${text}\n`);
  const callsLine = ({ tasks, closed, calls, results }: Parameters<DemoProgress['calls']>[0]) =>
    `calls ${calls}, results saved ${results}, tasks closed ${closed}/${tasks}`;
  if (!stream.isTTY) {
    let lastCallLine = 0;
    return {
      phase: line,
      counts: () => {},
      calls(counts) {
        if (Date.now() - lastCallLine < CALL_LINE_EVERY_MS) return;
        lastCallLine = Date.now();
        line(callsLine(counts));
      },
      stop: () => {},
    };
  }

  const bars = new MultiBar(
    {
      stream,
      format: ' {label} |{bar}| {value}/{total}{detail}',
      hideCursor: true,
      clearOnComplete: false,
      fps: 10,
    },
    Presets.shades_classic,
  );
  let analysed: SingleBar | undefined;
  let stored: SingleBar | undefined;
  let closed: SingleBar | undefined;
  return {
    phase(text) {
      if (analysed || stored) bars.log(`${text}\n`);
      else line(text);
    },
    counts({ published, analysed: done, candidates, tasks }) {
      analysed ??= bars.create(published, 0, { label: 'applications analysed  ', detail: '' });
      stored ??= bars.create(Math.max(candidates, 1), 0, { label: 'candidates stored      ', detail: '' });
      analysed.update(done);
      stored.setTotal(Math.max(candidates, 1));
      stored.update(tasks);
    },
    calls(counts) {
      closed ??= bars.create(Math.max(counts.tasks, 1), 0, {
        label: 'tasks closed           ',
        detail: '',
      });
      closed.setTotal(Math.max(counts.tasks, 1));
      closed.update(counts.closed, { detail: `  calls ${counts.calls}, results ${counts.results}` });
    },
    stop() {
      bars.stop();
    },
  };
}
