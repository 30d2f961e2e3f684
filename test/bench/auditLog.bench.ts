// Audit lines per second with redaction and the hash chain, against pino writing the same
// records to a file with its synchronous destination, in the same run (target ≥ 1.0× pino).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import type { AuditEvent } from '../../src-main/audit/auditEvent.js';
import { AuditLog } from '../../src-main/audit/auditLog.js';
import { Redactor } from '../../src-main/secrets/redactor.js';
import { auditSettings } from '../support/auditSettings.js';

const COUNT = 100_000;

function records(): AuditEvent[] {
  return Array.from({ length: 1000 }, (_, i) => ({
    kind: 'tool_call',
    name: i % 2 ? 'email.send' : 'fs.read',
    fields: {
      recipient: `user${i}@example.com`,
      subject: `Weekly report ${i}`,
      path: `/home/u/projects/app/src/module${i % 50}.ts`,
    },
  }));
}

function linesPerSecond(action: () => void): number {
  const start = process.hrtime.bigint();
  action();
  return COUNT / (Number(process.hrtime.bigint() - start) / 1e9);
}

export async function run(): Promise<string[]> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'omnipalm-audit-bench-'));
  try {
    const events = records();
    const redactor = new Redactor();
    redactor.registerSecret('llm_api_key', `sk-ant-api03-${'Q'.repeat(80)}`);
    // Dirty pages left by one writer slow the next one down (the kernel's writeback), so
    // each run starts from a synced, empty folder, and the order alternates between rounds.
    const settle = (file: string) => {
      const fd = fs.openSync(file, 'r');
      fs.fsyncSync(fd);
      fs.closeSync(fd);
      fs.rmSync(file);
    };
    const runPino = (round: number) => {
      const file = path.join(root, `pino-${round}.log`);
      const destination = pino.destination({ dest: file, sync: true });
      const logger = pino({ base: null }, destination);
      const rate = linesPerSecond(() => {
        for (let i = 0; i < COUNT; i++) {
          const event = events[i % events.length]!;
          logger.info({ kind: event.kind, tool: event.name, ...event.fields });
        }
      });
      destination.flushSync();
      settle(file);
      return rate;
    };
    const runAudit = (round: number) => {
      const file = path.join(root, `audit-${round}.log`);
      const log = new AuditLog({
        settings: auditSettings(file, { maxSizeBytes: 1024 ** 3, maxFiles: 2 }),
        redact: (text) => redactor.redact(text),
      });
      const rate = linesPerSecond(() => {
        for (let i = 0; i < COUNT; i++) log.append(events[i % events.length]!);
      });
      log.close();
      settle(file);
      return rate;
    };
    let best = { audit: 0, pino: 0 };
    for (let round = 0; round < 6; round++) {
      const first = round % 2 === 0 ? runPino(round) : runAudit(round);
      const second = round % 2 === 0 ? runAudit(round) : runPino(round);
      const [pinoRate, auditRate] = round % 2 === 0 ? [first, second] : [second, first];
      best = { audit: Math.max(best.audit, auditRate), pino: Math.max(best.pino, pinoRate) };
    }
    const fmt = (value: number) => `${Math.round(value).toLocaleString('en-US')} lines/s`;
    return [
      `pino (sync file destination) ${fmt(best.pino)} (baseline)`,
      `AuditLog (redacted, SHA-256 chained, one write per line) ${fmt(best.audit)} — ${(best.audit / best.pino).toFixed(2)}× pino (target ≥ 1.0×)`,
    ];
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}
