import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';

export type ToastTone = 'success' | 'error' | 'info';
type Notify = (message: string, tone?: ToastTone) => void;

interface Toast {
  id: number;
  message: string;
  tone: ToastTone;
}

// The page has one toast area, so its provider hands `notify` over in a variable: a context would
// pull Preact's context code (0.25 KB gzipped) into the bundle for this single value.
let shown: Notify = () => {};
const notifyShown: Notify = (message, tone) => shown(message, tone);
let nextId = 1;

/** Shows a short result message; errors stay a little longer. */
export function useToast(): Notify {
  return notifyShown;
}

export function ToastProvider({ children }: { children: ComponentChildren }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const dismiss = (id: number) => setToasts((all) => all.filter((t) => t.id !== id));
  shown = (message, tone = 'success') => {
    const id = nextId++;
    setToasts((all) => [...all.slice(-2), { id, message, tone }]);
    setTimeout(() => dismiss(id), tone === 'error' ? 8000 : 4000);
  };

  return (
    <>
      {children}
      {/* The live region is always in the DOM so screen readers announce what gets added to it. */}
      <div class="toasts" aria-live="polite" aria-relevant="additions" role="status" data-testid="toasts">
        {toasts.map((t) => (
          <div key={t.id} class={`toast toast-${t.tone}`} data-testid="toast" data-tone={t.tone}>
            <span>{t.message}</span>
            <button type="button" class="icon-btn" aria-label="Dismiss" onClick={() => dismiss(t.id)}>
              ×
            </button>
          </div>
        ))}
      </div>
    </>
  );
}
