import { useState } from 'preact/hooks';
import { ArmError, login } from './arm-api.js';

const REFUSALS: Record<string, string> = {
  INVALID_CREDENTIALS: 'Неверный логин или пароль',
  OPERATOR_LOCKED: 'Учетная запись заблокирована',
  BAD_REQUEST: 'Введите логин и пароль',
};

function refusal(err: unknown): string {
  if (!(err instanceof ArmError)) return String(err);
  if (err.code === 'TOO_MANY_ATTEMPTS') {
    return `Слишком много попыток входа. Повторите через ${Math.ceil((err.retryAfterSeconds ?? 60) / 60)} мин`;
  }
  if (err.status === 0 || err.status >= 500) return 'АРМ недоступен. Повторите позже';
  return REFUSALS[err.code] ?? err.description ?? err.code;
}

/** Fig. 46: ТЕЛЕМАРКЕТИНГ, Логин, Пароль, Войти (Appendix Д). */
export function LoginForm({
  message,
  onLoggedIn,
}: {
  message: string | undefined;
  onLoggedIn: (token: string, login: string) => void;
}) {
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      onLoggedIn(await login({ login: name.trim(), password }), name.trim());
    } catch (err) {
      setError(refusal(err));
      setBusy(false);
    }
  };

  return (
    <main class="login">
      <form class="login-form" aria-labelledby="login-title" onSubmit={submit}>
        <h1 id="login-title">ТЕЛЕМАРКЕТИНГ</h1>
        {message ? (
          <p class="login-message" role="status">
            {message}
          </p>
        ) : null}
        <label for="login-name">Логин</label>
        <input
          id="login-name"
          name="login"
          autocomplete="username"
          required
          maxLength={2048}
          value={name}
          onInput={(e) => setName(e.currentTarget.value)}
        />
        <label for="login-password">Пароль</label>
        <input
          id="login-password"
          name="password"
          type="password"
          autocomplete="current-password"
          required
          maxLength={2048}
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
        {error ? (
          <p class="login-error" role="alert">
            {error}
          </p>
        ) : null}
        <button type="submit" disabled={busy}>
          Войти
        </button>
      </form>
    </main>
  );
}
