/** The reason a form could not be saved, announced when it appears. */
export function FormError({ message }: { message: string }) {
  if (!message) return null;
  return (
    <p class="form-error" role="alert" data-testid="form-error">
      {message}
    </p>
  );
}
