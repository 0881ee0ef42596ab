import { MultiBar, Presets, type SingleBar } from 'cli-progress';

/** Where the demo reports what it is doing. */
export interface DemoProgress {
  phase(text: string): void;
  counts(counts: { published: number; analysed: number; candidates: number; tasks: number }): void;
  stop(): void;
}

/** Bars on a terminal (applications analysed, candidates stored as tasks), plain phase lines otherwise. */
export function demoProgress(stream: NodeJS.WriteStream = process.stderr): DemoProgress {
  const started = Date.now();
  const line = (text: string) =>
    stream.write(`[demo ${((Date.now() - started) / 1000).toFixed(1)}s] ${text}\n`);
  if (!stream.isTTY) return { phase: line, counts: () => {}, stop: () => {} };

  const bars = new MultiBar(
    { stream, format: ' {label} |{bar}| {value}/{total}', hideCursor: true, clearOnComplete: false, fps: 10 },
    Presets.shades_classic,
  );
  let analysed: SingleBar | undefined;
  let stored: SingleBar | undefined;
  return {
    phase(text) {
      if (analysed || stored) bars.log(`${text}\n`);
      else line(text);
    },
    counts({ published, analysed: done, candidates, tasks }) {
      analysed ??= bars.create(published, 0, { label: 'applications analysed  ' });
      stored ??= bars.create(Math.max(candidates, 1), 0, { label: 'candidates stored      ' });
      analysed.update(done);
      stored.setTotal(Math.max(candidates, 1));
      stored.update(tasks);
    },
    stop() {
      bars.stop();
    },
  };
}
