// `omnipalm audit tail|verify|export`.
import fs from 'node:fs';
import path from 'node:path';
import { parseAuditLine, readablePart } from '../audit/auditParse.js';
import { auditFiles, verifyAuditLog } from '../audit/auditVerify.js';
import { ConfigStore } from '../config/index.js';
import { type CliIO, EXIT_FAILED, EXIT_OK, parseCommandArgs, UsageError } from './cliSupport.js';

export const AUDIT_HELP = `Usage: omnipalm audit <command>

Commands:
  tail [-n N] [-f]                    the last N lines (default 20); -f keeps following
  verify [--dir D] [--json]           check the hash chain; exit 0 when intact, 1 when not
  export --format jsonl [--since T]   one JSON object per line (for a SIEM); T is an ISO time

The log is logging.file (default $OMNIPALM_HOME/logs/audit.log); --dir reads audit.log in D.`;

function logFile(home: string, dir: string | undefined): { file: string; maxFiles: number } {
  const config = new ConfigStore(home).load();
  if (dir !== undefined) {
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
      throw new UsageError(`audit: --dir ${dir} is not a folder`);
    }
    return {
      file: path.join(path.resolve(dir), path.basename(config.logging.file!)),
      maxFiles: config.logging.max_files,
    };
  }
  return { file: config.logging.file!, maxFiles: config.logging.max_files };
}

function allLines(file: string): string[] {
  return auditFiles(file).files.flatMap((name) =>
    fs.readFileSync(name, 'utf8').split('\n').filter(Boolean),
  );
}

async function follow(file: string, io: CliIO, from: number): Promise<number> {
  let offset = from;
  let pending = '';
  await new Promise<void>((resolve) => {
    const poll = setInterval(() => {
      let size: number;
      try {
        size = fs.statSync(file).size;
      } catch {
        return;
      }
      if (size < offset) offset = 0; // rotated: start the new file from its beginning
      if (size === offset) return;
      const fd = fs.openSync(file, 'r');
      const buffer = Buffer.alloc(size - offset);
      fs.readSync(fd, buffer, 0, buffer.length, offset);
      fs.closeSync(fd);
      offset = size;
      const lines = (pending + buffer.toString('utf8')).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) if (line) io.stdout(readablePart(line));
    }, 200);
    process.once('SIGINT', () => {
      clearInterval(poll);
      resolve();
    });
  });
  return EXIT_OK;
}

export async function runAuditCommand(args: string[], io: CliIO, home: string): Promise<number> {
  const [subcommand, ...rest] = args;
  if (subcommand === undefined || subcommand === '--help' || subcommand === '-h') {
    io.stdout(AUDIT_HELP);
    return EXIT_OK;
  }
  if (!['tail', 'verify', 'export'].includes(subcommand)) {
    throw new UsageError(
      `audit: unknown command "${subcommand}" (expected one of: tail, verify, export)`,
    );
  }
  const { values } = parseCommandArgs(
    `audit ${subcommand}`,
    rest,
    {
      lines: { type: 'string', short: 'n' },
      follow: { type: 'boolean', short: 'f' },
      dir: { type: 'string' },
      json: { type: 'boolean' },
      format: { type: 'string' },
      since: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    0,
  );
  if (values.help) {
    io.stdout(AUDIT_HELP);
    return EXIT_OK;
  }
  const allowed: Record<string, string[]> = {
    tail: ['lines', 'follow', 'dir'],
    verify: ['dir', 'json'],
    export: ['format', 'since', 'dir'],
  };
  for (const option of Object.keys(values)) {
    if (option !== 'help' && !allowed[subcommand]!.includes(option)) {
      throw new UsageError(
        `audit ${subcommand}: --${option} does not apply here (see omnipalm audit --help)`,
      );
    }
  }
  const { file, maxFiles } = logFile(home, values.dir);

  if (subcommand === 'verify') {
    const result = verifyAuditLog(file, { maxFiles });
    if (values.json) {
      io.stdout(JSON.stringify(result));
    } else if (result.ok) {
      io.stdout(
        `audit log verified: ${result.lines} lines in ${result.files.length} file(s), last seq=${result.lastSeq}`,
      );
      for (const warning of result.warnings)
        io.stdout(`warning: ${warning.file}:${warning.line}: ${warning.message}`);
    } else {
      const { problem } = result;
      io.stderr(`audit log NOT intact: ${problem!.file}:${problem!.line}: ${problem!.message}`);
    }
    return result.ok ? EXIT_OK : EXIT_FAILED;
  }

  if (subcommand === 'tail') {
    const count = values.lines === undefined ? 20 : Number(values.lines);
    if (!Number.isInteger(count) || count < 0) {
      throw new UsageError(
        `audit tail: -n expects a whole number, got ${JSON.stringify(values.lines)}`,
      );
    }
    const lines = fs.existsSync(file)
      ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean)
      : [];
    for (const line of count === 0 ? [] : lines.slice(-count)) io.stdout(readablePart(line));
    return values.follow
      ? follow(file, io, fs.existsSync(file) ? fs.statSync(file).size : 0)
      : EXIT_OK;
  }

  if (values.format !== 'jsonl') {
    throw new UsageError(
      `audit export: --format jsonl is required (got ${JSON.stringify(values.format ?? null)})`,
    );
  }
  let since = -Infinity;
  if (values.since !== undefined) {
    since = Date.parse(values.since);
    if (Number.isNaN(since)) {
      throw new UsageError(
        `audit export: --since expects an ISO time such as 2024-01-15T10:00:00Z, got ${JSON.stringify(values.since)}`,
      );
    }
  }
  let skipped = 0;
  for (const line of allLines(file)) {
    const parsed = parseAuditLine(line);
    if (!parsed) {
      skipped++;
      continue;
    }
    if (Date.parse(parsed.time) >= since) io.stdout(JSON.stringify(parsed));
  }
  if (skipped > 0)
    io.stderr(
      `audit export: skipped ${skipped} line(s) without a valid seal (run omnipalm audit verify)`,
    );
  return EXIT_OK;
}
