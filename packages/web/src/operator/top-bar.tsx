import type { OperatorStatus } from './arm-api.js';

const STATUSES: readonly { status: OperatorStatus; label: string }[] = [
  { status: 'READY', label: 'Готов' },
  { status: 'BREAK', label: 'Перерыв' },
];

/** The page's bar: the title, who is logged in, ready/break (ADR 0096) and Выйти (Appendix М). */
export function TopBar({
  login,
  status,
  onStatus,
  onLogout,
}: {
  login: string;
  status: OperatorStatus;
  onStatus: (status: OperatorStatus) => void;
  onLogout: () => void;
}) {
  return (
    <header class="top-bar">
      <h1>Телемаркетинг</h1>
      <fieldset class="operator-status">
        <legend class="visually-hidden">Статус оператора</legend>
        {STATUSES.map((s) => (
          <button
            key={s.status}
            type="button"
            class="toggle"
            aria-pressed={status === s.status}
            onClick={() => status !== s.status && onStatus(s.status)}
          >
            {s.label}
          </button>
        ))}
      </fieldset>
      <span class="operator-login" title="Оператор">
        {login}
      </span>
      <button type="button" class="logout" onClick={onLogout}>
        Выйти
      </button>
    </header>
  );
}
