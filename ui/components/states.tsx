import type { ComponentChildren } from 'preact';

export function Loading({ label }: { label: string }) {
  return (
    <div class="state" role="status" data-testid="loading">
      <span class="spinner" aria-hidden="true" />
      <span>{label}</span>
    </div>
  );
}

export function Empty({ title, children }: { title: string; children: ComponentChildren }) {
  return (
    <div class="state state-empty" data-testid="empty-state">
      <p class="state-title">{title}</p>
      <p class="muted">{children}</p>
    </div>
  );
}

export function ErrorState({ message, onRetry }: { message: string; onRetry: () => void }) {
  return (
    <div class="state state-error" role="alert" data-testid="error-state">
      <p class="state-title">Something went wrong</p>
      <p class="muted">{message}</p>
      <button type="button" class="btn" onClick={onRetry}>
        Try again
      </button>
    </div>
  );
}
