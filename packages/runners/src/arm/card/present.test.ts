import { expect } from 'chai';
import { clientInfoOf } from '../../campaign/db/client-info.js';
import { candidate } from '../../campaign/db/test-support.js';
import type { CommunicationRow } from './communication-rows.js';
import { calendarDate, moscowDateTime } from './moscow.js';
import { CardPresenter } from './present.js';

const row = (overrides: Partial<CommunicationRow> = {}): CommunicationRow => ({
  id: 5,
  state: 'NEW',
  resultDetails: { reason: 'Не было с собой документа', result: null, comment: 'позже' },
  startedAt: new Date(Date.UTC(2024, 0, 10, 21, 30)),
  endedAt: null,
  writtenAt: new Date(Date.UTC(2024, 0, 10, 21, 29)),
  taskId: 9,
  attempt: 1,
  operatorId: 3,
  phone: '79161234589',
  clientInfo: clientInfoOf(candidate('1001', '79161234589')),
  campaignId: 1,
  campaignName: 'a campaign name that is longer than thirty-two characters',
  operatorFirstName: 'Анна',
  operatorLastName: 'Иванова',
  resultDueAt: null,
  resultWindowClosedAt: null,
  ...overrides,
});

describe('CardPresenter', () => {
  const now = () => new Date(Date.UTC(2024, 0, 10, 12));
  const masked = new CardPresenter({ maskPhones: true, campaigns: [] }, now);

  it('masks phones by default and shows them whole when told', () => {
    expect(masked.phone('79161234589')).to.equal('+7 (***) ***-45-89');
    expect(new CardPresenter({ maskPhones: false, campaigns: [] }).phone('79161234589')).to.equal(
      '79161234589',
    );
  });

  it('formats Moscow times and calendar dates as the DTOs want', () => {
    expect(moscowDateTime(Date.UTC(2024, 0, 10, 21, 30))).to.equal('11.01.2024 00:30');
    expect(calendarDate(0)).to.equal('01.01.1970');
  });

  it('takes campaign names and hints from the config, else the stored name cut to 32', () => {
    expect(masked.campaign(row())).to.deep.equal({ displayName: 'a campaign name that is longer t' });
    const own = new CardPresenter({
      maskPhones: true,
      campaigns: [{ campaignId: 1, displayName: 'Доведи до займа', description: undefined }],
    });
    expect(own.campaign(row())).to.deep.equal({ displayName: 'Доведи до займа' });
  });

  it('lists a communication with Appendix Е’s result map, leaving out what is not set', () => {
    expect(masked.listItem(row())).to.deep.equal({
      time: '11.01.2024 00:30',
      id: 5,
      doId: '1001',
      type: 'APPLICATION',
      campaign: { displayName: 'a campaign name that is longer t' },
      callPhone: '+7 (***) ***-45-89',
      result: { REASON: 'Не было с собой документа', COMMENT: 'позже' },
      operator: { name: 'Анна', lastName: 'Иванова' },
    });
  });

  it('builds the card: names in both scripts, country name, age, kopecks, offers', () => {
    const card = masked.card(row(), [], []);
    expect(card.clientInfo).to.deep.equal({
      phone: '+7 (***) ***-45-89',
      fullNameRu: { name: 'АЗАМАТ', lastName: 'БЕКИШОВ' },
      fullNameEn: { name: 'AZAMAT', lastName: 'BEKISHOV' },
      citizenship: 'Киргизия',
      birthDate: '23.08.1994',
      age: 29,
    });
    const [application, offer] = card.productList ?? [];
    expect(application).to.deep.include({
      number: '1001',
      current: true,
      requestedAmount: 3_000_000,
      term: 30,
      grace: 0,
    });
    expect(offer).to.deep.include({
      type: 'OFFER',
      approvedAmount: 3_000_000,
      interestRate: 80,
      current: false,
    });
    expect(card.currentCommunication.result).to.deep.equal({
      reason: 'Не было с собой документа',
      comment: 'позже',
    });
  });
});
