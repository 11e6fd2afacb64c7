import { createContext, type ComponentChildren } from 'preact';
import { useCallback, useContext, useRef, useState } from 'preact/hooks';

export type ToastTone = 'success' | 'error' | 'info';
type Notify = (message: string, tone?: ToastTone) => void;

interface Toast {
  id: number;
  message: string;
  tone: ToastTone;
}

const ToastContext = createContext<Notify>(() => {});

/** Shows a short result message; errors stay a little longer. */
export function useToast(): Notify {
  return useContext(ToastContext);
}

export function ToastProvider({ children }: { children: ComponentChildren }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const next = useRef(1);

  const dismiss = useCallback((id: number) => setToasts((all) => all.filter((t) => t.id !== id)), []);
  const notify = useCallback<Notify>(
    (message, tone = 'success') => {
      const id = next.current++;
      setToasts((all) => [...all.slice(-2), { id, message, tone }]);
      setTimeout(() => dismiss(id), tone === 'error' ? 8000 : 4000);
    },
    [dismiss],
  );

  return (
    <ToastContext.Provider value={notify}>
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
    </ToastContext.Provider>
  );
}
