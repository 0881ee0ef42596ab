import type { CommunicationListItem } from './arm-api.js';
import { CallButton } from './call-button.js';
import { typeLabel } from './present.js';

/**
 * The main screen's «Карточки на доработку» (figs 47–48, Appendix Е): the operator's calls whose result was not
 * saved in time, each with Позвонить and Открыть.
 */
export function ReworkList({
  list,
  onOpen,
  onCall,
}: {
  list: readonly CommunicationListItem[] | undefined;
  onOpen: (communicationId: number) => void;
  onCall: (communicationId: number) => void;
}) {
  return (
    <section class="panel" aria-labelledby="rework-title">
      <h2 id="rework-title">Карточки на доработку</h2>
      {list === undefined ? (
        <p class="empty" aria-busy="true">
          Загрузка…
        </p>
      ) : list.length === 0 ? (
        <p class="empty">Все результаты разговоров сохранены</p>
      ) : (
        <table class="rework" aria-labelledby="rework-title">
          <thead>
            <tr>
              <th scope="col">
                <span class="visually-hidden">Звонок</span>
              </th>
              <th scope="col">Дата</th>
              <th scope="col">Номер заявки</th>
              <th scope="col">Тип</th>
              <th scope="col">Кампания</th>
              <th scope="col">Телефон</th>
              <th scope="col">Результат</th>
              <th scope="col">
                <span class="visually-hidden">Карточка</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.map((item) => (
              <tr key={item.id}>
                <td>
                  <CallButton onCall={() => onCall(item.id)} description={`Заявка ${item.doId ?? item.id}`} />
                </td>
                <td>{item.time}</td>
                <td>{item.doId ?? '—'}</td>
                <td>{typeLabel(item.type)}</td>
                <td>{item.campaign?.displayName ?? '—'}</td>
                <td class="phone">{item.callPhone}</td>
                <td class="not-saved">Не сохранен</td>
                <td>
                  <button type="button" onClick={() => onOpen(item.id)}>
                    Открыть
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
