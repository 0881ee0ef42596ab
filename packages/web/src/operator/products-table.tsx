import type { Product } from './arm-api.js';
import { dictLabel, productAmount, termLabel, typeLabel } from './present.js';

/**
 * Fig. 49's products: the client's applications and loans, and the offers, the current one marked. Флоу and
 * Зачисление of the figure have no field in ProductDto and are left out (ADR 0118).
 */
export function ProductsTable({ products }: { products: readonly Product[] }) {
  return (
    <section class="panel" aria-labelledby="products-title">
      <h3 id="products-title">Продукты</h3>
      {products.length === 0 ? (
        <p class="empty">Нет продуктов</p>
      ) : (
        <table aria-labelledby="products-title">
          <thead>
            <tr>
              <th scope="col">Дата (МСК)</th>
              <th scope="col">Номер</th>
              <th scope="col">Тип</th>
              <th scope="col">Статус</th>
              <th scope="col">Продукт</th>
              <th scope="col">Сумма</th>
              <th scope="col">Срок</th>
              <th scope="col">Грейс</th>
              <th scope="col">ОС</th>
              <th scope="col">Заполнение анкеты</th>
            </tr>
          </thead>
          <tbody>
            {products.map((p, i) => (
              <tr key={`${p.number ?? 'offer'}-${i}`} class={p.current ? 'current' : undefined}>
                <td>{p.startTime}</td>
                <td>
                  {p.number ?? '—'}
                  {p.current ? <span class="badge">текущая</span> : null}
                </td>
                <td>{typeLabel(p.type).toUpperCase()}</td>
                <td>{dictLabel(p.statusDict)}</td>
                <td>{dictLabel(p.productDict)}</td>
                <td class="num">{productAmount(p)}</td>
                <td class="num">{termLabel(p.term, p.termUnitDict)}</td>
                <td class="num">{termLabel(p.grace, p.graceUnitDict)}</td>
                <td>{dictLabel(p.deviceOsDict)}</td>
                <td>{p.filling?.map((d) => d.name).join(' – ') || '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
