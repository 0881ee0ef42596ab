import type { ComponentChildren } from 'preact';
import { useId } from 'preact/hooks';
import type { CommunicationResult, Dictionaries, Dictionary } from './arm-api.js';
import { Countdown } from './countdown.js';
import type { OpenCard } from './desk.js';

/**
 * A labelled field: the label beside its control (not around it) and the required mark beside the label, so the
 * control's name is the label alone (the `required` attribute says the rest).
 */
function Field({
  id,
  label,
  required,
  children,
}: {
  id: string;
  label: string;
  required: boolean;
  children: ComponentChildren;
}) {
  return (
    <div class="field">
      <span class="caption">
        <label for={id}>{label}</label>
        {required ? (
          <span class="required" aria-hidden="true">
            *
          </span>
        ) : null}
      </span>
      {children}
    </div>
  );
}

/** A dropdown of a dictionary, or a text field when the ARM has no dictionary for it. */
function Choice({
  label,
  required,
  items,
  value,
  onChange,
}: {
  label: string;
  required: boolean;
  items: readonly Dictionary[];
  value: string;
  onChange: (value: string) => void;
}) {
  const id = useId();
  if (items.length === 0) {
    return (
      <Field id={id} label={label} required={required}>
        <input
          id={id}
          value={value}
          required={required}
          maxLength={128}
          onInput={(e) => onChange(e.currentTarget.value)}
        />
      </Field>
    );
  }
  const known = value === '' || items.some((item) => item.dictionaryKey === value);
  return (
    <Field id={id} label={label} required={required}>
      <select id={id} value={value} required={required} onChange={(e) => onChange(e.currentTarget.value)}>
        <option value="">{required ? 'Выберите' : '—'}</option>
        {items.map((item) => (
          <option key={item.dictionaryKey} value={item.dictionaryKey}>
            {item.dictionaryValue}
          </option>
        ))}
        {known ? null : <option value={value}>{value}</option>}
      </select>
    </Field>
  );
}

/**
 * «Результат разговора» (fig. 50): Причина (optional), Результат (required), Комментарий, СОХРАНИТЬ; with the
 * countdown once the call has ended.
 */
export function ResultForm({
  source,
  deadline,
  values,
  saving,
  dictionaries,
  onChange,
  onSave,
}: {
  source: OpenCard['source'];
  deadline: number | null;
  values: CommunicationResult;
  saving: boolean;
  dictionaries: Dictionaries;
  onChange: (values: CommunicationResult) => void;
  onSave: () => void;
}) {
  const commentId = useId();
  return (
    <form
      class="result-form"
      aria-labelledby="result-title"
      onSubmit={(e) => {
        e.preventDefault();
        onSave();
      }}
    >
      <h3 id="result-title">Результат разговора</h3>
      {deadline !== null ? (
        <Countdown deadline={deadline} />
      ) : source === 'call' ? (
        <p class="in-call">Идет разговор</p>
      ) : (
        <p class="in-call">Карточка на доработке</p>
      )}
      <Choice
        label="Причина"
        required={false}
        items={dictionaries.reasons}
        value={values.reason ?? ''}
        onChange={(reason) => onChange({ ...values, reason })}
      />
      <Choice
        label="Результат"
        required={true}
        items={dictionaries.results}
        value={values.result ?? ''}
        onChange={(result) => onChange({ ...values, result })}
      />
      <Field id={commentId} label="Комментарий" required={false}>
        <textarea
          id={commentId}
          rows={3}
          maxLength={2000}
          value={values.comment ?? ''}
          onInput={(e) => onChange({ ...values, comment: e.currentTarget.value })}
        />
      </Field>
      <button type="submit" class="save" disabled={saving}>
        СОХРАНИТЬ
      </button>
    </form>
  );
}
