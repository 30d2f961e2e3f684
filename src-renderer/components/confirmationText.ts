// How the confirmation modal names an operation and shows its preview lines. A preview line
// can carry text an attacker chose (an MCP tool's arguments the model composed after reading
// a poisoned page, a file name): characters that render as nothing or reorder what is shown
// (zero-width, bidi controls, Unicode tags, control characters) would let the user approve
// something other than what they read, so each is shown as ⟦U+XXXX⟧ in its place.
import type { ConfirmationRequest } from '../store';

/** The operation as the modal's header names it. */
export function operationLabel(operation: ConfirmationRequest['operation']): string {
  if (operation === 'mcp_call') return 'MCP tool call';
  return operation.replaceAll('_', ' ');
}

function isHidden(codePoint: number): boolean {
  return (
    (codePoint < 0x20 && codePoint !== 0x09 && codePoint !== 0x0a) ||
    (codePoint >= 0x7f && codePoint <= 0x9f) ||
    codePoint === 0x00ad ||
    codePoint === 0x061c ||
    codePoint === 0x180e ||
    (codePoint >= 0x200b && codePoint <= 0x200f) ||
    (codePoint >= 0x202a && codePoint <= 0x202e) ||
    (codePoint >= 0x2060 && codePoint <= 0x2069) ||
    codePoint === 0xfeff ||
    (codePoint >= 0xe0000 && codePoint <= 0xe007f) ||
    (codePoint >= 0xe0100 && codePoint <= 0xe01ef)
  );
}

/** The line with every invisible or reordering character shown as ⟦U+XXXX⟧. */
export function visibleText(line: string): string {
  let shown = '';
  for (const character of line) {
    const codePoint = character.codePointAt(0)!;
    shown += isHidden(codePoint)
      ? `⟦U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}⟧`
      : character;
  }
  return shown;
}
