// The desktop app itself, through Playwright's _electron: the tray, the global hotkey's quick
// prompt, and a native dialog's answer reaching the confirmation broker (a delete goes ahead).
// It needs the Electron binary and native modules built for Electron: `npm run test:electron`
// rebuilds them, runs this file and rebuilds them for Node again. Under `npm test` on a
// machine without the binary (these build machines) it prints why it did not run.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { _electron, type ElectronApplication } from 'playwright';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ELECTRON_INSTALL_FIX, findElectronBinary } from '../../src-main/cli/electronBinary.js';
import { readMarker } from '../../scripts/nativeAbi.mjs';
import { REPO_ROOT } from '../support/runCli.js';
import { startScriptedModelServer } from '../support/scriptedModelServer.js';
import { makeTempFolder } from '../support/tempFolders.js';

const binary = findElectronBinary();
const REASON = !binary.installed
  ? `no Electron binary here (${binary.detail}); ${ELECTRON_INSTALL_FIX}, then npm run test:electron`
  : readMarker(REPO_ROOT)?.runtime !== 'electron'
    ? 'the native modules are built for Node; `npm run test:electron` rebuilds them for Electron, runs this test and rebuilds them for Node'
    : !process.env['DISPLAY'] && process.platform === 'linux'
      ? 'no DISPLAY; `npm run test:electron` runs it under xvfb-run'
      : undefined;
if (REASON) console.warn(`Electron smoke test did not run: ${REASON}`);

interface DesktopTestSurface {
  tray: () => { tooltip: string; menu: string[] };
  togglePrompt: () => void;
}

let app: ElectronApplication | undefined;
const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  await app?.close();
  for (const close of closers.splice(0).reverse()) await close();
});

describe.skipIf(REASON !== undefined)('the desktop app (Playwright _electron)', () => {
  it(
    'tray, hotkey prompt, and a native dialog answer that lets a delete go ahead',
    { timeout: 120_000 },
    async () => {
      const root = makeTempFolder('omnipalm-electron-');
      const home = path.join(root, 'home');
      const work = path.join(root, 'work');
      fs.mkdirSync(home, { mode: 0o700 });
      fs.mkdirSync(work);
      fs.writeFileSync(
        path.join(home, 'config.yaml'),
        stringify({ security: { allowed_paths: [work], sandbox: 'off' } }),
        { mode: 0o600 },
      );
      const doomed = path.join(work, 'a.log');
      fs.writeFileSync(doomed, 'x');
      const model = await startScriptedModelServer([
        { text: 'Deleting it.', toolUses: [{ name: 'fs_delete', input: { paths: [doomed] } }] },
        { text: 'Done.' },
      ]);
      closers.push(() => model.close());

      app = await _electron.launch({
        executablePath: binary.detail,
        // Chromium refuses to run as root with its sandbox on; CI runs as root.
        args: [...(os.userInfo().uid === 0 ? ['--no-sandbox'] : []), REPO_ROOT],
        cwd: REPO_ROOT,
        env: {
          PATH: process.env['PATH'] ?? '',
          DISPLAY: process.env['DISPLAY'] ?? '',
          HOME: root,
          OMNIPALM_HOME: home,
          OMNIPALM_ALLOW_ROOT: '1',
          OMNIPALM_LLM_API_KEY: 'sk-ant-test-0123456789abcdefghij',
          OMNIPALM_LLM_BASE_URL: model.baseURL,
          OMNIPALM_E2E_HOOKS: '1',
        },
      });

      const main = await app.firstWindow();
      await main.getByRole('tab', { name: 'Task' }).waitFor();
      expect(await main.title()).toBe('OmniPalm');

      // The tray: its menu and state.
      const tray = await app.evaluate(() =>
        (
          globalThis as unknown as { __omnipalmDesktop: DesktopTestSurface }
        ).__omnipalmDesktop.tray(),
      );
      expect(tray.tooltip).toBe('OmniPalm — idle');
      expect(tray.menu).toEqual([
        'Open OmniPalm',
        'Ask…',
        '-',
        'Pause agent',
        'Permissions',
        'Audit log',
        '-',
        'Quit OmniPalm',
      ]);
      expect(
        await app.evaluate(({ globalShortcut }) =>
          globalShortcut.isRegistered('CommandOrControl+Shift+Space'),
        ),
      ).toBe(true);

      // Native dialogs answer Yes here (a test cannot click an OS message box); each is recorded.
      await app.evaluate(({ dialog }) => {
        const asked: string[] = [];
        Object.assign(globalThis, { __asked: asked });
        dialog.showMessageBox = (async (...args: unknown[]) => {
          asked.push(String((args.at(-1) as { message: string }).message));
          return { response: 0, checkboxChecked: false };
        }) as typeof dialog.showMessageBox;
      });

      // The hotkey's quick prompt: the same renderer at #prompt; Enter runs the task.
      const opened = app.waitForEvent('window');
      await app.evaluate(() =>
        (
          globalThis as unknown as { __omnipalmDesktop: DesktopTestSurface }
        ).__omnipalmDesktop.togglePrompt(),
      );
      const prompt = await opened;
      expect(prompt.url()).toMatch(/#prompt$/);
      const input = prompt.getByLabel('What should OmniPalm do?');
      await input.fill(`Delete a.log in ${work}`);
      await input.press('Enter');

      // The delete is high risk: asked natively, answered Yes, through the broker.
      await expect.poll(() => fs.existsSync(doomed), { timeout: 30_000 }).toBe(false);
      const asked = await app.evaluate(
        () => (globalThis as unknown as { __asked: string[] }).__asked,
      );
      expect(asked).toEqual(['This will delete 1 file. Proceed?']);
      // The prompt window hid itself once the task started.
      expect(
        await app.evaluate(({ BrowserWindow }) =>
          BrowserWindow.getAllWindows()
            .filter((window) => window.isVisible())
            .map((window) => window.webContents.getURL().endsWith('#prompt')),
        ),
      ).toEqual([false]);
    },
  );
});
