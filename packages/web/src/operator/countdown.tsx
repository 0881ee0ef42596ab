import { clockLabel } from './present.js';
import { useNow } from './use-now.js';

/**
 * The visible 60-second countdown (thesis §2.6.5: one minute to fill in the result): the time left until the page
 * saves the draft, `role="timer"`, urgent in the last ten seconds.
 */
export function Countdown({ deadline }: { deadline: number }) {
  const now = useNow(250);
  const seconds = Math.max(0, (deadline - now) / 1000);
  return (
    <p class={seconds <= 10 ? 'countdown urgent' : 'countdown'}>
      <span id="countdown-label">Осталось на заполнение результата</span>{' '}
      <span role="timer" aria-labelledby="countdown-label" class="countdown-value">
        {clockLabel(seconds)}
      </span>
    </p>
  );
}
