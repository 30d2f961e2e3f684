/** A message from a rejected call, for an inline error. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
