import { useEffect, useState } from 'preact/hooks';

/** The clock's time, re-read every `intervalMs` (a countdown's tick). */
export function useNow(intervalMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}
