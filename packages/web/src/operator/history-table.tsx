import type { Communication, Dictionaries } from './arm-api.js';
import { resultSummary, typeLabel } from './present.js';

/** Fig. 49's history: the client's other calls, any campaign and operator, newest first. */
export function HistoryTable({
  history,
  dictionaries,
}: {
  history: readonly Communication[];
  dictionaries: Dictionaries;
}) {
  return (
    <section class="panel" aria-labelledby="history-title">
      <h3 id="history-title">История</h3>
      {history.length === 0 ? (
        <p class="empty">Звонков клиенту раньше не было</p>
      ) : (
        <table aria-labelledby="history-title">
          <thead>
            <tr>
              <th scope="col">Дата</th>
              <th scope="col">Номер</th>
              <th scope="col">Тип</th>
              <th scope="col">Кампания</th>
              <th scope="col">Результат разговора</th>
              <th scope="col">Комментарий</th>
              <th scope="col">Оператор</th>
              <th scope="col">Телефон</th>
            </tr>
          </thead>
          <tbody>
            {history.map((c) => (
              <tr key={c.id}>
                <td>{c.time}</td>
                <td>{c.doId ?? '—'}</td>
                <td>{typeLabel(c.type).toUpperCase()}</td>
                <td>{c.campaign?.displayName ?? '—'}</td>
                <td>{resultSummary(c.result, dictionaries)}</td>
                <td>{c.result?.comment ?? ''}</td>
                <td>{[c.operator.lastName, c.operator.name].filter(Boolean).join(' ')}</td>
                <td class="phone">{c.callPhone}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
