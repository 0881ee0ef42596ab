import { useState } from 'preact/hooks';
import { LoginForm } from './login-form.js';
import { loadSession, type StoredSession, saveSession } from './session-store.js';
import { Workspace } from './workspace.js';

/**
 * The operator page (thesis ch. 3, figs 46–52): the login form until the operator has a token, then the workspace.
 * A token the ARM no longer accepts brings the login form back with a word why.
 */
export function App() {
  const [session, setSession] = useState<StoredSession | undefined>(loadSession);
  const [message, setMessage] = useState<string | undefined>(undefined);

  const update = (next: StoredSession | undefined) => {
    saveSession(next);
    setSession(next);
  };

  if (!session) {
    return (
      <LoginForm
        message={message}
        onLoggedIn={(token, login) => {
          setMessage(undefined);
          update({ token, login, status: 'READY' });
        }}
      />
    );
  }
  return (
    <Workspace
      key={session.token}
      session={session}
      onStatus={(status) => update({ ...session, status })}
      onLoggedOut={(reason) => {
        setMessage(reason === 'expired' ? 'Сеанс завершен. Войдите снова' : undefined);
        update(undefined);
      }}
    />
  );
}
