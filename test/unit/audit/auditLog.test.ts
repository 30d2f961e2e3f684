// The audit log against real files: the guide's format, the switches, redaction, rotation,
// the hash chain and what `verify` makes of every kind of tampering, crashes and two writers.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../../src-main/audit/auditEvent.js';
import { AuditLog, type AuditLogSettings, rotatedName } from '../../../src-main/audit/auditLog.js';
import { parseAuditLine, readablePart } from '../../../src-main/audit/auditParse.js';
import { verifyAuditLog } from '../../../src-main/audit/auditVerify.js';
import { REPO_ROOT } from '../../support/runCli.js';
import { makeTempFolder } from '../../support/tempFolders.js';
import { auditSettings } from '../../support/auditSettings.js';

const AT = new Date('2024-01-15T10:23:45Z');

function settings(overrides: Partial<AuditLogSettings> = {}): AuditLogSettings {
  return auditSettings(path.join(makeTempFolder(), 'logs', 'audit.log'), overrides);
}

function lines(file: string): string[] {
  return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
}

function writeEvents(log: AuditLog, count: number, extra: Partial<AuditEvent> = {}): void {
  for (let i = 0; i < count; i++) {
    log.append({
      kind: 'tool_call',
      name: 'fs.read',
      fields: { path: `/work/file${i}.txt` },
      ...extra,
    });
  }
}

describe('format', () => {
  it("writes the guide's lines, readable as they are, with the chain at the end", () => {
    const log = new AuditLog({ settings: settings() });
    log.append({ kind: 'user_command', text: 'Send email to alice@example.com', time: AT });
    log.append({
      kind: 'tool_call',
      name: 'email.send',
      fields: { recipient: 'alice@example.com', subject: '...' },
      time: AT,
    });
    log.append({
      kind: 'tool_result',
      name: 'email.send',
      fields: { status: 'success', message_id: 'abc123' },
      time: AT,
    });
    log.append({
      kind: 'agent_response',
      text: 'Email sent successfully to alice@example.com',
      time: AT,
    });
    log.close();
    expect(lines(log.file).map(readablePart)).toEqual([
      '2024-01-15T10:23:45Z INFO  [user_command] "Send email to alice@example.com"',
      '2024-01-15T10:23:45Z INFO  [tool_call] email.send recipient="alice@example.com" subject="..."',
      '2024-01-15T10:23:45Z INFO  [tool_result] email.send status="success" message_id="abc123"',
      '2024-01-15T10:23:45Z INFO  [agent_response] "Email sent successfully to alice@example.com"',
    ]);
    expect(lines(log.file)[1]).toMatch(/ seq=2 sha256=[\w-]{43}$/);
    expect(fs.statSync(log.file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(log.file)).mode & 0o777).toBe(0o700);
  });

  it('keeps one event on one line whatever the text holds, and parses back', () => {
    const log = new AuditLog({ settings: settings() });
    const text =
      'line one\nFAKE 2024-01-01T00:00:00Z INFO  [tool_call] x seq=9 sha256=' + 'a'.repeat(43);
    log.append({
      kind: 'user_command',
      text,
      fields: { note: 'quote " and \\ backslash', count: 3, ok: true },
    });
    log.close();
    const [line] = lines(log.file);
    expect(lines(log.file)).toHaveLength(1);
    expect(parseAuditLine(line!)).toMatchObject({
      kind: 'user_command',
      text,
      fields: { note: 'quote " and \\ backslash', count: 3, ok: true },
      seq: 1,
    });
    expect(verifyAuditLog(log.file).ok).toBe(true);
  });

  it('names the session of a turn on its line; it parses back as sessionId and verifies', () => {
    const log = new AuditLog({ settings: settings() });
    const sessionId = 'c0ffee00c0ffee00c0ffee00c0ffee00';
    log.append({ kind: 'user_command', text: 'and now ~/Documents', sessionId, time: AT });
    log.append({ kind: 'tool_call', name: 'fs.list', fields: { path: '/d' }, sessionId, time: AT });
    log.append({ kind: 'config', name: 'security.read_only', time: AT });
    log.close();
    expect(lines(log.file).map(readablePart)).toEqual([
      `2024-01-15T10:23:45Z INFO  [user_command] "and now ~/Documents" session="${sessionId}"`,
      `2024-01-15T10:23:45Z INFO  [tool_call] fs.list path="/d" session="${sessionId}"`,
      '2024-01-15T10:23:45Z INFO  [config] security.read_only',
    ]);
    const parsed = lines(log.file).map((line) => parseAuditLine(line)!);
    expect(parsed[1]).toMatchObject({ name: 'fs.list', fields: { path: '/d' }, sessionId });
    expect(parsed[1]!.fields).not.toHaveProperty('session');
    expect(parsed[2]).not.toHaveProperty('sessionId');
    expect(verifyAuditLog(log.file).ok).toBe(true);
  });

  it('records who approved a confirmation', () => {
    const log = new AuditLog({ settings: settings() });
    log.append({
      kind: 'confirmation',
      name: 'fs.delete',
      fields: { answer: 'yes', by: 'user', via: 'cli' },
    });
    log.append({
      kind: 'confirmation',
      name: 'email.send',
      fields: { answer: 'no', by: 'timeout' },
    });
    log.close();
    expect(lines(log.file).map(readablePart)[1]).toMatch(
      /\[confirmation\] email\.send answer="no" by="timeout"$/,
    );
  });
});

describe('switches', () => {
  const events: AuditEvent[] = [
    { kind: 'user_command', text: 'prompt' },
    { kind: 'agent_response', text: 'answer' },
    { kind: 'tool_call', name: 'fs.read' },
    { kind: 'tool_result', name: 'fs.read', fields: { status: 'success' } },
    { kind: 'api_call', name: 'anthropic.messages' },
    { kind: 'policy', name: 'fs.read', fields: { decision: 'deny' } },
    { kind: 'alert', text: 'blocked path' },
    { kind: 'error', text: 'boom' },
    { kind: 'config', fields: { key: 'security.read_only' } },
    { kind: 'tool_call', name: 'debug.trace', level: 'DEBUG' },
  ];
  const kindsWritten = (overrides: Partial<AuditLogSettings>) => {
    const log = new AuditLog({ settings: settings(overrides) });
    for (const event of events) log.append(event);
    log.close();
    return fs.existsSync(log.file) ? lines(log.file).map((line) => parseAuditLine(line)!.kind) : [];
  };

  it('logs everything but raw API calls and DEBUG by default', () => {
    expect(kindsWritten({})).toEqual([
      'user_command',
      'agent_response',
      'tool_call',
      'tool_result',
      'policy',
      'alert',
      'error',
      'config',
    ]);
  });

  it('does what each switch says', () => {
    expect(kindsWritten({ logPrompts: false })).not.toContain('user_command');
    expect(kindsWritten({ logResponses: false })).not.toContain('agent_response');
    expect(kindsWritten({ logToolCalls: false })).not.toContain('tool_call');
    expect(kindsWritten({ logApiCalls: true })).toContain('api_call');
    expect(kindsWritten({ level: 'DEBUG' })).toHaveLength(9);
    expect(kindsWritten({ level: 'WARN' })).toEqual(['alert', 'error']);
    // Without log_all_actions, routine tool activity goes, security events stay.
    expect(kindsWritten({ logAllActions: false })).toEqual([
      'user_command',
      'agent_response',
      'policy',
      'alert',
      'error',
      'config',
    ]);
  });
});

describe('redaction', () => {
  it('redacts before hashing and writing, and the log still verifies', () => {
    const secret = 'sk-ant-api03-' + 'x'.repeat(40);
    const log = new AuditLog({
      settings: settings(),
      redact: (text) => text.replaceAll(secret, '[REDACTED:anthropic]'),
    });
    log.append({
      kind: 'tool_call',
      name: 'http.request',
      fields: { header: `x-api-key: ${secret}` },
    });
    log.close();
    const content = fs.readFileSync(log.file, 'utf8');
    expect(content).not.toContain(secret);
    expect(content).toContain('[REDACTED:anthropic]');
    expect(verifyAuditLog(log.file).ok).toBe(true);
  });
});

describe('rotation', () => {
  it('rotates at max_size, keeps max_files, and carries the chain across files', () => {
    const options = settings({ maxSizeBytes: 10 * 1024, maxFiles: 3 });
    const log = new AuditLog({ settings: options });
    writeEvents(log, 600);
    log.close();
    const names = fs.readdirSync(path.dirname(options.file)).sort();
    expect(names).toEqual(['audit.log', 'audit.log.1', 'audit.log.2', 'audit.log.3']);
    for (const name of names) {
      const file = path.join(path.dirname(options.file), name);
      expect(fs.statSync(file).size).toBeLessThanOrEqual(10 * 1024);
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    }
    const result = verifyAuditLog(options.file, { maxFiles: 3 });
    expect(result).toMatchObject({ ok: true, lastSeq: 600 });
    expect(result.warnings[0]!.message).toContain('older history was rotated away');
    // The first line of each newer file continues the previous file's chain.
    expect(parseAuditLine(lines(options.file)[0]!)!.seq).toBe(
      parseAuditLine(lines(rotatedName(options.file, 1)).at(-1)!)!.seq + 1,
    );
  });
});

describe('verify finds tampering', () => {
  function cleanLog(count = 20, overrides: Partial<AuditLogSettings> = {}): string {
    const log = new AuditLog({ settings: settings(overrides) });
    writeEvents(log, count);
    log.close();
    return log.file;
  }
  const edit = (file: string, change: (rows: string[]) => string[]) =>
    fs.writeFileSync(file, change(lines(file)).join('\n') + '\n');

  it('passes a clean log', () => {
    expect(verifyAuditLog(cleanLog())).toMatchObject({
      ok: true,
      lines: 20,
      lastSeq: 20,
      warnings: [],
    });
  });

  it.each([
    [
      'a flipped byte',
      (rows: string[]) => rows.map((row, i) => (i === 6 ? row.replace('file6', 'fil!6') : row)),
      7,
      'line altered',
    ],
    [
      'a flipped byte in the hash',
      (rows: string[]) =>
        rows.map((row, i) => (i === 6 ? row.slice(0, -1) + (row.endsWith('0') ? '1' : '0') : row)),
      7,
      'line altered',
    ],
    ['a deleted line', (rows: string[]) => rows.filter((_, i) => i !== 9), 10, '1 line deleted'],
    [
      'reordered lines',
      (rows: string[]) => [...rows.slice(0, 4), rows[5]!, rows[4]!, ...rows.slice(6)],
      5,
      'deleted before this one',
    ],
    [
      'a duplicated line',
      (rows: string[]) => [...rows.slice(0, 12), rows[11]!, ...rows.slice(12)],
      13,
      'line duplicated',
    ],
    [
      'an inserted line',
      (rows: string[]) => [
        ...rows.slice(0, 3),
        rows[3]!.replace('file3', 'evil'),
        ...rows.slice(3),
      ],
      4,
      'line altered',
    ],
    ['the first line deleted', (rows: string[]) => rows.slice(1), 1, 'first line has seq=2'],
  ])('names the first bad line for %s', (_label, change, badLine, message) => {
    const file = cleanLog();
    edit(file, change);
    const result = verifyAuditLog(file);
    expect(result.ok).toBe(false);
    expect(result.problem).toMatchObject({ file, line: badLine });
    expect(result.problem!.message).toContain(message);
  });

  it('finds a deleted or swapped rotated file', () => {
    const rotatedLog = () => cleanLog(400, { maxSizeBytes: 8 * 1024, maxFiles: 5 });
    const deleted = rotatedLog();
    fs.rmSync(rotatedName(deleted, 2));
    expect(verifyAuditLog(deleted, { maxFiles: 5 }).problem).toMatchObject({
      file: rotatedName(deleted, 2),
      message: expect.stringContaining('rotated file is missing'),
    });

    const swapped = rotatedLog();
    fs.renameSync(rotatedName(swapped, 1), `${swapped}.tmp`);
    fs.renameSync(rotatedName(swapped, 2), rotatedName(swapped, 1));
    fs.renameSync(`${swapped}.tmp`, rotatedName(swapped, 2));
    const result = verifyAuditLog(swapped, { maxFiles: 5 });
    expect(result.ok).toBe(false);
    // Oldest first: the newer content now in .2 jumps ahead of .3's last line.
    expect(result.problem!.file).toBe(rotatedName(swapped, 2));
    expect(result.problem!.line).toBe(1);

    const oldest = rotatedLog();
    const files = fs.readdirSync(path.dirname(oldest)).filter((name) => /\.\d+$/.test(name));
    fs.rmSync(rotatedName(oldest, files.length));
    expect(verifyAuditLog(oldest, { maxFiles: 5 }).problem!.message).toContain(
      'earlier lines or rotated files are missing',
    );
  });

  it('reports a partial last line after a crash without failing', () => {
    const file = cleanLog(5);
    fs.appendFileSync(file, '2024-01-15T10:23:45Z INFO  [tool_call] fs.re');
    const result = verifyAuditLog(file);
    expect(result.ok).toBe(true);
    expect(result.warnings).toEqual([
      { file, line: 6, message: expect.stringContaining('partial last line') },
    ]);
    // The next writer closes the cut line and continues the chain from the last whole line.
    const log = new AuditLog({ settings: { ...settings(), file } });
    writeEvents(log, 3);
    log.close();
    const after = verifyAuditLog(file);
    expect(after).toMatchObject({ ok: true, lastSeq: 8 });
    expect(after.warnings[0]).toMatchObject({
      line: 6,
      message: expect.stringContaining('cut off by a crash'),
    });
  });
});

/** Starts writers and lets them all begin at once. */
async function startWriters(file: string, specs: [number, string][]) {
  const children = specs.map(([count, tag]) => runWriter(file, count, tag));
  await Promise.all(
    children.map(
      (child) => new Promise<void>((resolve) => child.stdout!.once('data', () => resolve())),
    ),
  );
  for (const child of children) child.stdin!.end('go\n');
  return children;
}

function runWriter(file: string, count: number, tag: string) {
  return spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(REPO_ROOT, 'test/support/auditWriterChild.ts'),
      file,
      String(count),
      tag,
    ],
    { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'inherit'] },
  );
}

function exited(child: ReturnType<typeof spawn>): Promise<number | null> {
  return new Promise((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))),
  );
}

describe('durability', () => {
  it('survives kill -9 in the middle of a burst: the log verifies up to the cut', async () => {
    const file = settings().file;
    const [child] = await startWriters(file, [[0, 'crash']]);
    // Let it write a good number of lines, then kill it mid-burst.
    await new Promise<void>((resolve) => {
      const check = () =>
        fs.existsSync(file) && fs.statSync(file).size > 200_000 ? resolve() : setImmediate(check);
      check();
    });
    child!.kill('SIGKILL');
    await exited(child!);
    const result = verifyAuditLog(file);
    expect(result.ok, JSON.stringify(result.problem)).toBe(true);
    expect(result.lines).toBeGreaterThan(500);
    expect(result.warnings.length).toBeLessThanOrEqual(1);
    const log = new AuditLog({ settings: { ...settings(), file } });
    writeEvents(log, 5);
    log.close();
    expect(verifyAuditLog(file)).toMatchObject({ ok: true, lastSeq: result.lastSeq + 5 });
  });

  it('two processes appending at once produce a log that verifies', async () => {
    const file = settings().file;
    const writers = await startWriters(file, [
      [2000, 'app'],
      [2000, 'cli'],
    ]);
    expect(await Promise.all(writers.map(exited))).toEqual([0, 0]);
    const result = verifyAuditLog(file);
    expect(result).toMatchObject({ ok: true, lines: 4000, lastSeq: 4000 });
    const byWriter = lines(file).map((line) => parseAuditLine(line)!.fields.writer);
    expect(byWriter.filter((writer) => writer === 'app')).toHaveLength(2000);
    // Interleaved, not one after the other: both really wrote at once.
    const switches = byWriter.filter((writer, i) => i > 0 && writer !== byWriter[i - 1]).length;
    expect(switches).toBeGreaterThan(1);
    expect(fs.existsSync(`${file}.lock`)).toBe(false);
    expect(fs.existsSync(`${file}.lock.waiting`)).toBe(false);
  });
});
