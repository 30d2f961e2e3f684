// Electron accelerator strings ("CommandOrControl+Shift+Space") for ui.hotkey, checked here so
// a typo is a config error naming the problem, not a hotkey that silently never registers.

const MODIFIERS = new Set(
  [
    'Command',
    'Cmd',
    'Control',
    'Ctrl',
    'CommandOrControl',
    'CmdOrCtrl',
    'Alt',
    'Option',
    'AltGr',
    'Shift',
    'Super',
    'Meta',
  ].map((name) => name.toLowerCase()),
);

const NAMED_KEYS = new Set(
  [
    'Plus',
    'Space',
    'Tab',
    'Capslock',
    'Numlock',
    'Scrolllock',
    'Backspace',
    'Delete',
    'Insert',
    'Return',
    'Enter',
    'Up',
    'Down',
    'Left',
    'Right',
    'Home',
    'End',
    'PageUp',
    'PageDown',
    'Escape',
    'Esc',
    'PrintScreen',
    'VolumeUp',
    'VolumeDown',
    'VolumeMute',
    'MediaNextTrack',
    'MediaPreviousTrack',
    'MediaStop',
    'MediaPlayPause',
    'numdec',
    'numadd',
    'numsub',
    'nummult',
    'numdiv',
  ].map((name) => name.toLowerCase()),
);

function isKey(part: string): boolean {
  const lower = part.toLowerCase();
  if (NAMED_KEYS.has(lower)) return true;
  if (/^[a-z0-9]$/i.test(part)) return true;
  if (/^f([1-9]|1[0-9]|2[0-4])$/i.test(part)) return true;
  if (/^num[0-9]$/i.test(part)) return true;
  // Punctuation keys Electron accepts by their character ("+" is spelled Plus).
  return /^[)!@#$%^&*(:;<=>?_~{}|"',./`\-[\]\\]$/.test(part);
}

/** Why `accelerator` is not a usable global hotkey, or undefined when it is. */
export function acceleratorProblem(accelerator: string): string | undefined {
  const parts = accelerator.split('+');
  if (parts.some((part) => part.trim() === '' || part !== part.trim())) {
    return 'expected modifiers and one key joined by "+" without spaces, e.g. CommandOrControl+Shift+Space';
  }
  const key = parts.at(-1)!;
  const modifiers = parts.slice(0, -1);
  const unknownModifier = modifiers.find((part) => !MODIFIERS.has(part.toLowerCase()));
  if (unknownModifier !== undefined) {
    return `"${unknownModifier}" is not a modifier (Command, Control, CommandOrControl, Alt, Option, AltGr, Shift, Super, Meta)`;
  }
  if (!isKey(key)) {
    return `"${key}" is not a key Electron knows (a letter, digit, F1–F24, Space, Enter, Up, …)`;
  }
  if (modifiers.length === 0) {
    return 'a global hotkey needs at least one modifier, or it would take that key from every other app';
  }
  if (new Set(modifiers.map((part) => part.toLowerCase())).size !== modifiers.length) {
    return 'a modifier is repeated';
  }
  return undefined;
}
