import type { Notice } from './desk.js';

/**
 * The latest message (figs 51 and 52, and ours). A result saved is a status; a card sent back for rework, or an
 * error, is an alert (announced at once).
 */
export function NoticeBar({ notice, onDismiss }: { notice: Notice | undefined; onDismiss: () => void }) {
  if (!notice) return <div class="notice-slot" />;
  const urgent = notice.kind === 'not-saved' || notice.kind === 'error';
  return (
    <div class="notice-slot">
      <div key={notice.id} class={`notice notice-${notice.kind}`} role={urgent ? 'alert' : 'status'}>
        <span>{notice.text}</span>
        <button type="button" class="notice-close" aria-label="Закрыть сообщение" onClick={onDismiss}>
          ×
        </button>
      </div>
    </div>
  );
}
