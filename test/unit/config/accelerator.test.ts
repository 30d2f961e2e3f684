import { describe, expect, it } from 'vitest';
import { acceleratorProblem } from '../../../src-main/config/accelerator.js';
import { configSchema } from '../../../src-main/config/schema.js';

describe('ui.hotkey accelerators', () => {
  it.each([
    'CommandOrControl+Shift+Space',
    'CmdOrCtrl+Alt+K',
    'Super+F12',
    'Control+Shift+/',
    'Alt+Plus',
    'Shift+Meta+num5',
  ])('accepts %s', (accelerator) => {
    expect(acceleratorProblem(accelerator)).toBeUndefined();
  });

  it.each([
    ['Space', /at least one modifier/],
    ['Ctrl+Shift', /"Shift" is not a key/],
    ['Hyper+Space', /"Hyper" is not a modifier/],
    ['Ctrl + Space', /without spaces/],
    ['Ctrl++', /without spaces/],
    ['Ctrl+Ctrl+K', /repeated/],
    ['Ctrl+F25', /"F25" is not a key/],
  ])('refuses %s, naming why', (accelerator, problem) => {
    expect(acceleratorProblem(accelerator)).toMatch(problem);
  });

  it('defaults to CommandOrControl+Shift+Space and refuses a bad value in config.yaml', () => {
    expect(configSchema.parse({}).ui.hotkey).toBe('CommandOrControl+Shift+Space');
    const bad = configSchema.safeParse({ ui: { hotkey: 'Space' } });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]).toMatchObject({ path: ['ui', 'hotkey'] });
    expect(bad.error?.issues[0]?.message).toMatch(/at least one modifier/);
  });
});
