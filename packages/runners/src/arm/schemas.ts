import { type Static, type TSchema, Type } from '@sinclair/typebox';

/**
 * The ARM's DTOs, Appendices Д–М of the thesis, as TypeBox schemas under named `$id`s: Fastify validates requests
 * and serialises answers with them (an answer carries nothing its schema does not name), and the OpenAPI document
 * names them so. Where the appendices contradict each other or the screens, ADR 0093 says which reading is taken;
 * additions are marked "ours".
 */

const moscowTime = (description: string) =>
  Type.String({
    maxLength: 16,
    description: `${description}, dd.MM.yyyy HH:mm, Moscow time`,
    examples: ['01.10.2023 14:05'],
  });

/** The answer's status: OK, or what went wrong (ADR 0090 lists them with their HTTP statuses). */
export const StatusResponseDto = Type.Object(
  { status: Type.String({ maxLength: 32, examples: ['OK'] }), description: Type.Optional(Type.String()) },
  { $id: 'StatusResponseDto', additionalProperties: false },
);

export const Token = Type.String({ $id: 'Token', minLength: 1, maxLength: 2048 });

export const CommunicationId = Type.Integer({
  $id: 'CommunicationId',
  minimum: 0,
  maximum: Number.MAX_SAFE_INTEGER,
  description: 'Card number (TM$COMMUNICATIONS.ID)',
  examples: [123456789],
});

/**
 * Appendix З's `[0-9]{11}`, or — in the default configuration — the masked form the screens show (ADR 0093). The
 * operator never needs a full number: a save is matched by communication and owner.
 */
export const Phone = Type.String({
  $id: 'Phone',
  pattern: '^([0-9]{11}|\\+[0-9] \\(\\*\\*\\*\\) \\*\\*\\*-[0-9]{2}-[0-9]{2})$',
  description: '11 digits, or masked as +7 (***) ***-67-89 when arm.mask-phones is on (the default)',
  examples: ['+7 (***) ***-27-89'],
});

export const Campaign = Type.Object(
  {
    displayName: Type.String({ maxLength: 32, examples: ['Доведи до займа'] }),
    description: Type.Optional(Type.String({ maxLength: 32, description: 'A short hint how to sell' })),
  },
  { $id: 'Campaign', additionalProperties: false },
);

export const CommunicationResult = Type.Object(
  {
    reason: Type.Optional(Type.String({ maxLength: 128, examples: ['Не было с собой документа'] })),
    result: Type.Optional(Type.String({ maxLength: 128, examples: ['Заполнит позже'] })),
    comment: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { $id: 'CommunicationResult', additionalProperties: false },
);
export type CommunicationResultDto = Static<typeof CommunicationResult>;

export const Operator = Type.Object(
  { name: Type.String({ maxLength: 32 }), lastName: Type.String({ maxLength: 32 }) },
  { $id: 'Operator', additionalProperties: false },
);

export const ClientFullName = Type.Object(
  {
    name: Type.String({ maxLength: 32 }),
    lastName: Type.String({ maxLength: 32 }),
    middleName: Type.Optional(Type.String({ maxLength: 32 })),
  },
  { $id: 'ClientFullName', additionalProperties: false },
);

export const DictionaryItem = Type.Object(
  { dictionaryKey: Type.String({ maxLength: 64 }), dictionaryValue: Type.String({ maxLength: 128 }) },
  { $id: 'DictionaryItem', additionalProperties: false },
);

export const CommunicationDto = Type.Object(
  {
    time: moscowTime('When the call started'),
    id: Type.Ref(CommunicationId),
    campaign: Type.Optional(Type.Ref(Campaign)),
    callPhone: Type.Ref(Phone),
    result: Type.Optional(Type.Ref(CommunicationResult)),
    operator: Type.Ref(Operator),
    doId: Type.Optional(
      Type.String({ maxLength: 32, description: 'ours: the application number (fig. 49’s history “Номер”)' }),
    ),
    type: Type.Optional(
      Type.Union([Type.Literal('APPLICATION'), Type.Literal('LOAN')], {
        description: 'ours: the history’s “Тип” (Заявка/Займ)',
      }),
    ),
    state: Type.Optional(
      Type.Union([Type.Literal('NEW'), Type.Literal('DRAFT'), Type.Literal('FIXED')], {
        description: 'ours: the communication’s state',
      }),
    ),
  },
  { $id: 'CommunicationDto', additionalProperties: false },
);

export const FillingError = Type.Object(
  {
    errorDescription: Type.Optional(Type.String({ examples: ['Плохое качество'] })),
    advice: Type.Optional(Type.String()),
  },
  { $id: 'FillingError', additionalProperties: false },
);

export const AppDocument = Type.Object(
  {
    name: Type.String({ maxLength: 32, examples: ['Селфи/ДУЛ'] }),
    documentDict: Type.Optional(Type.Ref(DictionaryItem)),
    status: Type.String({ maxLength: 32, examples: ['ERROR'] }),
    errors: Type.Optional(Type.Array(Type.Ref(FillingError))),
  },
  { $id: 'AppDocument', additionalProperties: false },
);

const kopecks = (description: string) =>
  Type.Optional(Type.Integer({ minimum: 0, description: `${description}, kopecks` }));

export const ProductDto = Type.Object(
  {
    startTime: moscowTime('Application created'),
    endTime: moscowTime('Last change of the application or loan'),
    number: Type.Optional(Type.String({ maxLength: 32, description: 'ours: application number' })),
    type: Type.Optional(
      Type.Union([Type.Literal('APPLICATION'), Type.Literal('LOAN'), Type.Literal('OFFER')], {
        description: 'ours: ЗАЯВКА, ЗАЙМ, or a product Abram offers',
      }),
    ),
    statusDict: Type.Optional(Type.Ref(DictionaryItem)),
    productDict: Type.Optional(Type.Ref(DictionaryItem)),
    requestedAmount: kopecks('Requested amount'),
    approvedAmount: kopecks('Approved amount (or the most offered)'),
    term: Type.Integer({ minimum: 0 }),
    termUnitDict: Type.Optional(Type.Ref(DictionaryItem)),
    grace: Type.Integer({ minimum: 0 }),
    graceUnitDict: Type.Optional(Type.Ref(DictionaryItem)),
    filling: Type.Optional(Type.Array(Type.Ref(AppDocument))),
    current: Type.Boolean({ description: 'The application of the task being called about' }),
    retailChainNameDict: Type.Optional(Type.Ref(DictionaryItem)),
    deviceOsDict: Type.Optional(Type.Ref(DictionaryItem)),
    creditMethodDict: Type.Optional(Type.Ref(DictionaryItem)),
    interestRate: Type.Optional(
      Type.Integer({ minimum: 0, description: 'Percent per day × 100 (80 = 0.80 %/day)' }),
    ),
  },
  { $id: 'ProductDto', additionalProperties: false },
);

export const ClientInfoDto = Type.Object(
  {
    phone: Type.Ref(Phone),
    fullNameRu: Type.Optional(Type.Ref(ClientFullName)),
    fullNameEn: Type.Optional(Type.Ref(ClientFullName)),
    citizenship: Type.Optional(Type.String({ maxLength: 92, examples: ['Россия'] })),
    birthDate: Type.Optional(Type.String({ maxLength: 10, description: 'dd.MM.yyyy' })),
    age: Type.Optional(Type.Integer({ minimum: 18, maximum: 128 })),
    segment: Type.Optional(
      Type.String({ maxLength: 64, description: 'ours: Casper’s segment of the client' }),
    ),
  },
  { $id: 'ClientInfoDto', additionalProperties: false },
);

export const ClientCardDto = Type.Object(
  {
    clientInfo: Type.Ref(ClientInfoDto),
    currentCommunication: Type.Ref(CommunicationDto),
    productList: Type.Optional(Type.Array(Type.Ref(ProductDto))),
    history: Type.Optional(Type.Array(Type.Ref(CommunicationDto))),
  },
  { $id: 'ClientCardDto', additionalProperties: false },
);
export type ClientCard = Static<typeof ClientCardDto>;

export const ClientCardResponseDto = Type.Object(
  {
    clientCard: Type.Ref(ClientCardDto),
    resultDueAt: Type.Optional(
      Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
        description:
          'ours: when the 60-second window to save the result ends (ISO 8601); null while the call goes on or once saved',
      }),
    ),
    resultDueInMs: Type.Optional(
      Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], {
        description:
          'ours: milliseconds left of that window when this answer was made, by the ARM’s clock (null as resultDueAt); ' +
          'the page counts down from it, so the operator’s clock need not agree with the server’s (ADR 0116)',
      }),
    ),
  },
  { $id: 'ClientCardResponseDto', additionalProperties: false },
);

export const GetClientCardResponseDto = Type.Object(
  { status: Type.String({ maxLength: 32 }), data: Type.Optional(Type.Ref(ClientCardResponseDto)) },
  { $id: 'GetClientCardResponseDto', additionalProperties: false },
);

export const CommunicationListItemDto = Type.Object(
  {
    time: moscowTime('When the call started'),
    id: Type.Ref(CommunicationId),
    doId: Type.Optional(Type.String({ maxLength: 32, description: 'Application number' })),
    type: Type.Optional(
      Type.Union([Type.Literal('APPLICATION'), Type.Literal('LOAN')], {
        description: 'ours: Тип (Заявка/Займ)',
      }),
    ),
    campaign: Type.Optional(Type.Ref(Campaign)),
    callPhone: Type.Ref(Phone),
    result: Type.Optional(
      Type.Record(Type.String(), Type.String(), {
        description: 'Appendix Е: a key-value map (REASON, RESULT, COMMENT)',
        examples: [{ RESULT: 'Дополним позже', COMMENT: 'Дополним позже' }],
      }),
    ),
    operator: Type.Ref(Operator),
  },
  { $id: 'CommunicationListItemDto', additionalProperties: false },
);

export const CommunicationListResponseDto = Type.Object(
  {
    status: Type.String({ maxLength: 32 }),
    data: Type.Optional(
      Type.Object(
        { communications: Type.Array(Type.Ref(CommunicationListItemDto)) },
        { additionalProperties: false },
      ),
    ),
  },
  { $id: 'CommunicationListResponseDto', additionalProperties: false },
);

/** CLIENT_CARD_READY (thesis); CALL_ENDED and COMMUNICATIONS_CHANGED are ours (ADR 0095). */
export const CHANGE_TYPES = ['CLIENT_CARD_READY', 'CALL_ENDED', 'COMMUNICATIONS_CHANGED'] as const;
export type ChangeType = (typeof CHANGE_TYPES)[number];

export const ChangesDto = Type.Object(
  {
    hasChanges: Type.Boolean(),
    changes: Type.Optional(Type.Array(Type.String({ maxLength: 32, examples: ['CLIENT_CARD_READY'] }))),
    pollIntervalMs: Type.Optional(
      Type.Integer({ minimum: 0, description: 'ours: poll again after this long' }),
    ),
  },
  { $id: 'ChangesDto', additionalProperties: false },
);

export const HasChangesResponseDto = Type.Object(
  { status: Type.String({ maxLength: 32 }), data: Type.Optional(Type.Ref(ChangesDto)) },
  { $id: 'HasChangesResponseDto', additionalProperties: false },
);

export const LoginRequestDto = Type.Object(
  {
    login: Type.String({ minLength: 1, maxLength: 2048, examples: ['somelogin'] }),
    password: Type.String({ minLength: 1, maxLength: 2048 }),
  },
  { $id: 'LoginRequestDto', additionalProperties: false },
);

export const TokenResponseDto = Type.Object(
  { token: Type.Ref(Token) },
  { $id: 'TokenResponseDto', additionalProperties: false },
);

export const LoginResponseDto = Type.Object(
  { status: Type.String({ maxLength: 32 }), data: Type.Optional(Type.Ref(TokenResponseDto)) },
  { $id: 'LoginResponseDto', additionalProperties: false },
);

const saveFields = {
  communicationId: Type.Ref(CommunicationId),
  clientPhone: Type.Optional(
    Type.Ref(Phone, {
      description:
        'Optional (ADR 0093): when given, it must be the communication’s phone, full or as shown masked',
    }),
  ),
  communicationResult: Type.Optional(Type.Ref(CommunicationResult)),
};

export const SaveCommunicationDraftRequestDto = Type.Object(saveFields, {
  $id: 'SaveCommunicationDraftRequestDto',
  additionalProperties: false,
});

export const SaveCommunicationRequestDto = Type.Object(saveFields, {
  $id: 'SaveCommunicationRequestDto',
  additionalProperties: false,
});
export type SaveRequest = Static<typeof SaveCommunicationRequestDto>;

export const GetClientCardByCommunicationIdRequestDto = Type.Object(
  { communicationId: Type.Ref(CommunicationId) },
  { $id: 'GetClientCardByCommunicationIdRequestDto', additionalProperties: false },
);

export const SetStatusRequestDto = Type.Object(
  { status: Type.Union([Type.Literal('READY'), Type.Literal('BREAK')]) },
  {
    $id: 'SetStatusRequestDto',
    additionalProperties: false,
    description: 'ours (ADR 0096): ready to take calls, or on a break',
  },
);

export const CallClientRequestDto = Type.Object(
  { communicationId: Type.Ref(CommunicationId) },
  { $id: 'CallClientRequestDto', additionalProperties: false, description: 'ours (ADR 0097): click-to-call' },
);

export const CallClientResponseDto = Type.Object(
  {
    status: Type.String({ maxLength: 32 }),
    data: Type.Optional(
      Type.Object({ requestId: Type.String({ maxLength: 64 }) }, { additionalProperties: false }),
    ),
  },
  { $id: 'CallClientResponseDto', additionalProperties: false },
);

export const DictionariesResponseDto = Type.Object(
  {
    status: Type.String({ maxLength: 32 }),
    data: Type.Optional(
      Type.Object(
        { results: Type.Array(Type.Ref(DictionaryItem)), reasons: Type.Array(Type.Ref(DictionaryItem)) },
        { additionalProperties: false },
      ),
    ),
  },
  {
    $id: 'DictionariesResponseDto',
    additionalProperties: false,
    description: 'ours: the result form’s dropdowns (arm.dictionaries)',
  },
);

/** Every shared schema of the ARM API, for `addSchema`, in dependency order. */
export const ARM_SCHEMAS: readonly TSchema[] = [
  StatusResponseDto,
  Token,
  CommunicationId,
  Phone,
  Campaign,
  CommunicationResult,
  Operator,
  ClientFullName,
  DictionaryItem,
  CommunicationDto,
  FillingError,
  AppDocument,
  ProductDto,
  ClientInfoDto,
  ClientCardDto,
  ClientCardResponseDto,
  GetClientCardResponseDto,
  CommunicationListItemDto,
  CommunicationListResponseDto,
  ChangesDto,
  HasChangesResponseDto,
  LoginRequestDto,
  TokenResponseDto,
  LoginResponseDto,
  SaveCommunicationDraftRequestDto,
  SaveCommunicationRequestDto,
  GetClientCardByCommunicationIdRequestDto,
  SetStatusRequestDto,
  CallClientRequestDto,
  CallClientResponseDto,
  DictionariesResponseDto,
];

/*
 * The DTOs as TypeScript types: what the handlers get, and what the operator page imports (type-only, so nothing of
 * this module reaches the browser bundle; ADR 0115).
 */
export type StatusResponse = Static<typeof StatusResponseDto>;
export type LoginRequest = Static<typeof LoginRequestDto>;
export type LoginResponse = Static<typeof LoginResponseDto>;
export type HasChangesResponse = Static<typeof HasChangesResponseDto>;
export type Changes = Static<typeof ChangesDto>;
export type CommunicationListResponse = Static<typeof CommunicationListResponseDto>;
export type CommunicationListItem = Static<typeof CommunicationListItemDto>;
export type GetClientCardResponse = Static<typeof GetClientCardResponseDto>;
export type ClientCardResponse = Static<typeof ClientCardResponseDto>;
export type Communication = Static<typeof CommunicationDto>;
export type Product = Static<typeof ProductDto>;
export type Dictionary = Static<typeof DictionaryItem>;
export type SetStatusRequest = Static<typeof SetStatusRequestDto>;
export type CallClientResponse = Static<typeof CallClientResponseDto>;
export type DictionariesResponse = Static<typeof DictionariesResponseDto>;
