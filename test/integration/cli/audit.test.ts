// `omnipalm audit tail|verify|export` as real child processes on a log written by AuditLog.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuditLog } from '../../../src-main/audit/auditLog.js';
import { runCli } from '../../support/runCli.js';
import { makeTempHome } from '../../support/tempFolders.js';
import { auditSettings } from '../../support/auditSettings.js';

/** The last event is a conversation's: its line names the session. */
const SESSION = '5e55105e55105e55105e55105e551055';

function homeWithLog(count: number): { home: string; file: string } {
  const home = makeTempHome();
  const file = path.join(home, 'logs', 'audit.log');
  const log = new AuditLog({
    settings: auditSettings(file, { maxSizeBytes: 1024 ** 2, maxFiles: 10 }),
  });
  for (let i = 0; i < count; i++) {
    log.append({
      kind: 'tool_call',
      name: 'fs.read',
      fields: { path: `/w/${i}` },
      time: new Date(Date.UTC(2024, 0, 15, 10, i)),
      ...(i === count - 1 ? { sessionId: SESSION } : {}),
    });
  }
  log.close();
  return { home, file };
}

describe.concurrent('omnipalm audit', () => {
  it('verify: exit 0 on a clean log, 1 naming file:line after a flipped byte', async () => {
    const { home, file } = homeWithLog(10);
    const clean = await runCli(['audit', 'verify'], { home });
    expect(clean).toMatchObject({
      code: 0,
      stdout: 'audit log verified: 10 lines in 1 file(s), last seq=10\n',
    });
    const content = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, content.replace('/w/4', '/w/X'));
    const tampered = await runCli(['audit', 'verify'], { home });
    expect(tampered.code).toBe(1);
    expect(tampered.stderr).toBe(
      `omnipalm: audit log NOT intact: ${file}:5: line altered (hash does not match)\n`.replace(
        'omnipalm: ',
        '',
      ),
    );
  });

  it('verify --dir reads another folder; a missing folder is bad input', async () => {
    const { file } = homeWithLog(3);
    const other = makeTempHome();
    const result = await runCli(['audit', 'verify', '--dir', path.dirname(file), '--json'], {
      home: other,
    });
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: true, lines: 3 });
    const missing = await runCli(['audit', 'verify', '--dir', '/nonexistent/logs'], {
      home: other,
    });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--dir /nonexistent/logs is not a folder');
  });

  it('audits every saved config change as [config]', async () => {
    const home = makeTempHome();
    expect((await runCli(['config', 'set', 'security.read_only', 'true'], { home })).code).toBe(0);
    const tail = await runCli(['audit', 'tail'], { home });
    expect(tail.stdout).toMatch(
      /^\S+Z INFO {2}\[config\] security\.read_only old="false" new="true" by="user" via="cli"\n$/,
    );
    expect((await runCli(['audit', 'verify'], { home })).code).toBe(0);
  });

  it('tail prints the last lines in the guide format', async () => {
    const { home } = homeWithLog(30);
    const result = await runCli(['audit', 'tail', '-n', '2'], { home });
    expect(result.stdout).toBe(
      '2024-01-15T10:28:00Z INFO  [tool_call] fs.read path="/w/28"\n' +
        `2024-01-15T10:29:00Z INFO  [tool_call] fs.read path="/w/29" session="${SESSION}"\n`,
    );
    const bad = await runCli(['audit', 'tail', '-n', 'many'], { home });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('-n expects a whole number');
  });

  it('export --format jsonl gives one JSON object per event, from --since on', async () => {
    const { home } = homeWithLog(10);
    const result = await runCli(
      ['audit', 'export', '--format', 'jsonl', '--since', '2024-01-15T10:07:00Z'],
      { home },
    );
    const events = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(events).toHaveLength(3);
    expect(events[0]).toMatchObject({
      seq: 8,
      time: '2024-01-15T10:07:00Z',
      level: 'INFO',
      kind: 'tool_call',
      name: 'fs.read',
      fields: { path: '/w/7' },
    });
    expect(events[0]).not.toHaveProperty('sessionId');
    expect(events[2]).toMatchObject({ fields: { path: '/w/9' }, sessionId: SESSION });
    const noFormat = await runCli(['audit', 'export'], { home });
    expect(noFormat.code).toBe(2);
    expect(noFormat.stderr).toContain('--format jsonl is required');
    const badSince = await runCli(
      ['audit', 'export', '--format', 'jsonl', '--since', 'yesterday'],
      { home },
    );
    expect(badSince.code).toBe(2);
    expect(badSince.stderr).toContain('--since expects an ISO time');
  });
});
