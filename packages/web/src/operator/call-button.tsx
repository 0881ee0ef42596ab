/**
 * Позвонить: click-to-call instead of a phone number (seed 003, ADR 0097) — the dialer calls the client and connects
 * the operator, who never sees the number.
 */
export function CallButton({ onCall, description }: { onCall: () => void; description?: string }) {
  return (
    <button type="button" class="call" onClick={onCall} title={description}>
      <span aria-hidden="true" class="call-icon">
        ✆
      </span>
      Позвонить
    </button>
  );
}
