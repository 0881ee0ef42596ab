import type { ComponentChildren } from 'preact';
import type { ClientCard, Dictionaries } from './arm-api.js';
import { CallButton } from './call-button.js';
import { HistoryTable } from './history-table.js';
import { ageLabel, fullName } from './present.js';
import { ProductsTable } from './products-table.js';

/**
 * The client card (fig. 49, Appendix З/Л): the client's name in Cyrillic and Latin, segment, citizenship, age, the
 * masked phone with Позвонить, the campaign; the products and the history; the result form as `children`.
 */
export function ClientCardView({
  card,
  dictionaries,
  onCall,
  onClose,
  children,
}: {
  card: ClientCard;
  dictionaries: Dictionaries;
  onCall: () => void;
  /** Back to the rework list (rework cards only). */
  onClose: (() => void) | undefined;
  children: ComponentChildren;
}) {
  const info = card.clientInfo;
  const current = card.currentCommunication;
  const heading = fullName(info.fullNameRu) || fullName(info.fullNameEn) || 'Клиент';
  const latin = info.fullNameRu ? fullName(info.fullNameEn) : '';
  return (
    <article class="client-card" aria-labelledby="client-name">
      <header class="client-head">
        <div>
          <h2 id="client-name">{heading}</h2>
          {latin ? (
            <p class="latin" lang="en">
              {latin}
            </p>
          ) : null}
          {info.segment ? <p class="segment">{info.segment}</p> : null}
        </div>
        {onClose ? (
          <button type="button" class="back" onClick={onClose}>
            К списку
          </button>
        ) : null}
      </header>
      <dl class="facts">
        <div>
          <dt>Гражданство</dt>
          <dd>{info.citizenship ?? '—'}</dd>
        </div>
        <div>
          <dt>Возраст</dt>
          <dd>{info.age === undefined ? '—' : ageLabel(info.age)}</dd>
        </div>
        <div>
          <dt>Телефон</dt>
          <dd class="phone">
            {info.phone} <CallButton onCall={onCall} />
          </dd>
        </div>
        <div>
          <dt>Кампания</dt>
          <dd>
            {current.campaign?.displayName ?? '—'}
            {current.campaign?.description ? (
              <span class="hint"> — {current.campaign.description}</span>
            ) : null}
          </dd>
        </div>
        <div>
          <dt>Звонок</dt>
          <dd>{current.time} МСК</dd>
        </div>
      </dl>
      <ProductsTable products={card.productList ?? []} />
      <HistoryTable history={card.history ?? []} dictionaries={dictionaries} />
      {children}
    </article>
  );
}
