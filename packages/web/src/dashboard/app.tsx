import { useState } from 'preact/hooks';
import { formatDuration, formatInteger, formatMoscowTime, formatPercent } from '../shared/format.js';
import { usePolling } from '../shared/use-polling.js';
import { Chart } from './chart.js';
import { type Filter, type KpiTotals, loadSeries, loadSnapshot, type Snapshot } from './kpi-api.js';

/** How often the page asks for fresh figures: the KPIs change within a second of an event. */
const REFRESH_MS = 1_000;

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];

function Tile({ label, value, hint }: { label: string; value: string; hint?: string }) {
  return (
    <section class="tile" aria-label={label}>
      <div class="tile-label">{label}</div>
      <output class="tile-value">{value}</output>
      {hint ? <div class="tile-hint">{hint}</div> : null}
    </section>
  );
}

function Breakdown({
  title,
  counters,
  prefix,
  label,
}: {
  title: string;
  counters: Record<string, number>;
  prefix: string;
  label: string;
}) {
  const rows = Object.entries(counters)
    .filter(([name]) => name.startsWith(prefix))
    .map(([name, n]) => [name.slice(prefix.length), n] as const)
    .sort((a, b) => b[1] - a[1]);
  return (
    <section class="panel">
      <h2>{title}</h2>
      {rows.length === 0 ? (
        <p class="empty">Пока нет данных</p>
      ) : (
        <table aria-label={title}>
          <thead>
            <tr>
              <th scope="col">{label}</th>
              <th scope="col">Количество</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(([name, n]) => (
              <tr key={name}>
                <td>{name}</td>
                <td class="num">{formatInteger(n)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Totals({ totals }: { totals: KpiTotals }) {
  const c = totals.counters;
  return (
    <div class="tiles">
      <Tile label="Заявки" value={formatInteger(c.applications ?? 0)} />
      <Tile label="Кандидаты" value={formatInteger(c.candidates ?? 0)} />
      <Tile label="Отказы фильтров" value={formatInteger(c.rejections ?? 0)} />
      <Tile
        label="Задачи отправлены"
        value={formatInteger(c.dispatches ?? 0)}
        hint={`повторных: ${formatInteger(c.recalls ?? 0)}`}
      />
      <Tile label="Звонки" value={formatInteger(c['calls.started'] ?? 0)} />
      <Tile
        label="Дозвон"
        value={formatPercent(totals.answerRate)}
        hint={`отвечено: ${formatInteger(c['calls.ANSWERED'] ?? 0)}`}
      />
      <Tile label="Среднее время разговора" value={formatDuration(totals.averageTalkSeconds)} />
      <Tile
        label="Среднее время обработки"
        value={formatDuration(totals.averageHandleSeconds)}
        hint="разговор + оформление"
      />
      <Tile label="Сохранено за 60 с" value={formatPercent(totals.savedInTimeShare)} />
      <Tile
        label="Конверсия"
        value={formatPercent(totals.conversionRate)}
        hint={`результатов: ${formatInteger(c['results.FIXED'] ?? 0)}`}
      />
      <Tile
        label="Повторные контакты"
        value={formatInteger(c.repeatContacts ?? 0)}
        hint={formatPercent(totals.repeatContactShare)}
      />
    </div>
  );
}

function Gauges({ snapshot }: { snapshot: Snapshot }) {
  const g = snapshot.gauges;
  return (
    <div class="tiles gauges">
      <Tile label="Задачи ждут отправки" value={formatInteger(g.tasks.waiting)} />
      <Tile label="Очередь дозвона" value={formatInteger(g.tasks.queued)} />
      <Tile label="Идут разговоры" value={formatInteger(g.tasks.calling)} />
      <Tile
        label="Черновики на доработке"
        value={formatInteger(g.draftsWaiting)}
        hint={
          g.oldestDraftAgeSeconds === null ? 'нет' : `старейший: ${formatDuration(g.oldestDraftAgeSeconds)}`
        }
      />
      <Tile label="Операторы в системе" value={formatInteger(g.operators.loggedIn)} />
      <Tile label="Готовы" value={formatInteger(g.operators.ready)} />
      <Tile label="На перерыве" value={formatInteger(g.operators.onBreak)} />
    </div>
  );
}

function Operators({ snapshot }: { snapshot: Snapshot }) {
  return (
    <section class="panel wide">
      <h2>Операторы за сегодня</h2>
      {snapshot.operators.length === 0 ? (
        <p class="empty">Пока нет звонков</p>
      ) : (
        <table aria-label="Операторы за сегодня">
          <thead>
            <tr>
              <th scope="col">Оператор</th>
              <th scope="col">Звонки</th>
              <th scope="col">За час</th>
              <th scope="col">Отвечено</th>
              <th scope="col">Время разговоров</th>
              <th scope="col">Обработка (сред.)</th>
              <th scope="col">Результаты</th>
              <th scope="col">Конверсии</th>
            </tr>
          </thead>
          <tbody>
            {snapshot.operators.map((o) => (
              <tr key={o.operatorId}>
                <td>{o.operatorId}</td>
                <td class="num">{formatInteger(o.calls)}</td>
                <td class="num">{formatInteger(o.callsThisHour)}</td>
                <td class="num">{formatInteger(o.answered)}</td>
                <td class="num">{formatDuration(o.talkSeconds)}</td>
                <td class="num">{formatDuration(o.averageHandleSeconds)}</td>
                <td class="num">{formatInteger(o.results)}</td>
                <td class="num">{formatInteger(o.conversions)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

const FLOW = [
  ['applications', 'Заявки'],
  ['candidates', 'Кандидаты'],
  ['rejections', 'Отказы'],
] as const;
const CALLS = [
  ['calls.started', 'Звонки'],
  ['calls.ANSWERED', 'Отвечено'],
  ['results.FIXED', 'Результаты'],
] as const;

function SeriesChart({
  title,
  size,
  count,
  lines,
  filter,
}: {
  title: string;
  size: 'minute' | 'hour';
  count: number;
  lines: readonly (readonly [string, string])[];
  filter: Filter;
}) {
  const { value } = usePolling(
    () =>
      loadSeries(
        size,
        count,
        lines.map(([m]) => m),
        filter,
      ),
    REFRESH_MS,
    [size, count, filter.campaign, filter.stream],
  );
  if (!value) return <figure class="chart" aria-label={title} aria-busy="true" />;
  return (
    <Chart
      title={title}
      times={value.starts}
      lines={lines.map(([measure, label], i) => ({
        label,
        color: COLORS[i % COLORS.length] as string,
        values: value.values[measure] ?? [],
      }))}
    />
  );
}

/** The KPI dashboard: today's totals and rates, the current state, charts per minute and hour, breakdowns. */
export function App() {
  const [filter, setFilter] = useState<Filter>({ campaign: '', stream: '' });
  const { value: snapshot, error } = usePolling(() => loadSnapshot(filter), REFRESH_MS, [
    filter.campaign,
    filter.stream,
  ]);
  return (
    <main>
      <header>
        <h1>KPI телемаркетинга</h1>
        <form class="filters" onSubmit={(e) => e.preventDefault()}>
          <label>
            Кампания
            <select
              value={filter.campaign}
              onChange={(e) => setFilter({ ...filter, campaign: e.currentTarget.value })}
            >
              <option value="">все</option>
              {snapshot?.dimensions.campaigns.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
          </label>
          <label>
            Поток данных
            <select
              value={filter.stream}
              onChange={(e) => setFilter({ ...filter, stream: e.currentTarget.value })}
            >
              <option value="">все</option>
              {snapshot?.dimensions.streams.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </label>
        </form>
        <p class="status" role="status">
          {error ? (
            <span class="error">Нет связи с сервером KPI: {error.message}</span>
          ) : snapshot ? (
            <>Обновлено {formatMoscowTime(snapshot.generatedAt)} МСК</>
          ) : (
            'Загрузка…'
          )}
        </p>
      </header>
      {snapshot ? (
        <>
          <h2 class="section">Сегодня (с 00:00 МСК)</h2>
          <Totals totals={snapshot.today} />
          <h2 class="section">Сейчас</h2>
          <Gauges snapshot={snapshot} />
          <div class="charts">
            <SeriesChart
              title="Поток заявок, в минуту"
              size="minute"
              count={60}
              lines={FLOW}
              filter={filter}
            />
            <SeriesChart title="Звонки, в минуту" size="minute" count={60} lines={CALLS} filter={filter} />
            <SeriesChart title="Звонки, по часам" size="hour" count={24} lines={CALLS} filter={filter} />
          </div>
          <div class="panels">
            <Breakdown
              title="Отказы по фильтрам"
              counters={snapshot.today.counters}
              prefix="rejections."
              label="Фильтр"
            />
            <Breakdown
              title="Результаты разговоров"
              counters={snapshot.today.counters}
              prefix="result."
              label="Результат"
            />
            <Breakdown
              title="Исходы звонков"
              counters={snapshot.today.counters}
              prefix="calls."
              label="Исход"
            />
            <Operators snapshot={snapshot} />
          </div>
        </>
      ) : null}
    </main>
  );
}
