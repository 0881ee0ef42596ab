import { useEffect, useMemo } from 'preact/hooks';
import { armClient, type OperatorStatus } from './arm-api.js';
import { ClientCardView } from './client-card.js';
import { type DeskState, MESSAGES, OperatorDesk } from './desk.js';
import { NoticeBar } from './notice-bar.js';
import { ResultForm } from './result-form.js';
import { ReworkList } from './rework-list.js';
import type { StoredSession } from './session-store.js';
import { TopBar } from './top-bar.js';
import { useDeskState } from './use-desk.js';

/**
 * The logged-in operator's screen: the top bar, the messages, and either the open card with its result form (a call,
 * fig. 49–50, or a rework card) or the rework list (figs 47–48).
 */
export function Workspace({
  session,
  onStatus,
  onLoggedOut,
}: {
  session: StoredSession;
  onStatus: (status: OperatorStatus) => void;
  onLoggedOut: (reason: NonNullable<DeskState['loggedOut']>) => void;
}) {
  const desk = useMemo(
    () => new OperatorDesk(armClient(session.token), { status: session.status }),
    [session.token],
  );
  useEffect(() => {
    void desk.start();
    return () => desk.stop();
  }, [desk]);
  const state = useDeskState(desk);

  useEffect(() => {
    if (state.loggedOut) onLoggedOut(state.loggedOut);
  }, [state.loggedOut]);
  useEffect(() => {
    if (state.status !== session.status) onStatus(state.status);
  }, [state.status]);

  const { card } = state;
  return (
    <>
      <TopBar
        login={session.login}
        status={state.status}
        onStatus={(s) => void desk.setStatus(s)}
        onLogout={() => void desk.logout()}
      />
      <main class="workspace">
        {state.online ? null : (
          <p class="offline" role="alert">
            {MESSAGES.offline}: повторяем запрос…
          </p>
        )}
        <NoticeBar notice={state.notice} onDismiss={() => desk.dismissNotice()} />
        {card ? (
          <ClientCardView
            card={card.card}
            dictionaries={state.dictionaries}
            onCall={() => void desk.callClient(card.communicationId)}
            onClose={card.source === 'rework' ? () => desk.closeRework() : undefined}
          >
            <ResultForm
              key={card.communicationId}
              source={card.source}
              deadline={card.deadline}
              values={card.values}
              saving={card.saving}
              dictionaries={state.dictionaries}
              onChange={(values) => desk.edit(values)}
              onSave={() => void desk.save()}
            />
          </ClientCardView>
        ) : (
          <ReworkList
            list={state.list}
            onOpen={(id) => void desk.openRework(id)}
            onCall={(id) => void desk.callClient(id)}
          />
        )}
      </main>
    </>
  );
}
