// AuditLog: every action as one line in the guide's format, redacted before it is written,
// hash-chained, rotated at logging.max_size keeping logging.max_files, files 0600.
// Durability: one write per line, so `kill -9` loses at most the line in flight; a line cut
// off by a crash is closed with a newline by the next writer and the chain continues from
// the last complete line (verify reports it, not as tampering).
import fs from 'node:fs';
import path from 'node:path';
import { AUDIT_LEVELS, type AuditEvent, type AuditLevel, defaultLevel } from './auditEvent.js';
import { formatBody, GENESIS_HASH, LineSealer, parseSeal } from './auditLine.js';
import { FileLock } from './fileLock.js';

export interface AuditLogSettings {
  file: string;
  maxSizeBytes: number;
  maxFiles: number;
  level: AuditLevel;
  logAllActions: boolean;
  logPrompts: boolean;
  logResponses: boolean;
  logToolCalls: boolean;
  logApiCalls: boolean;
}

export interface AuditLogOptions {
  settings: AuditLogSettings;
  /** Applied to every line before it is hashed and written (the Redactor). */
  redact?: (text: string) => string;
}

/** Security events are written whatever the switches say (only the level can hide DEBUG). */
const ALWAYS = new Set(['policy', 'confirmation', 'alert', 'error', 'config']);
const TAIL_BYTES = 64 * 1024;

export function rotatedName(file: string, index: number): string {
  return `${file}.${index}`;
}

interface ChainState {
  seq: number;
  hash: string;
}

/** The last sealed line of a file's tail, and whether the file ends mid-line. */
function readTail(file: string): { state?: ChainState; endsMidLine: boolean } {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return { endsMidLine: false };
  }
  try {
    const size = fs.fstatSync(fd).size;
    if (size === 0) return { endsMidLine: false };
    const length = Math.min(size, TAIL_BYTES);
    const buffer = Buffer.alloc(length);
    fs.readSync(fd, buffer, 0, length, size - length);
    const text = buffer.toString('utf8');
    const lines = text.split('\n');
    const endsMidLine = !text.endsWith('\n');
    for (let i = lines.length - (endsMidLine ? 2 : 1); i >= 0; i--) {
      const seal = parseSeal(lines[i]!);
      if (seal) return { state: { seq: seal.seq, hash: seal.hash }, endsMidLine };
    }
    return { endsMidLine };
  } finally {
    fs.closeSync(fd);
  }
}

export class AuditLog {
  private settings: AuditLogSettings;
  private readonly redact: (text: string) => string;
  private lock: FileLock;
  private fd: number | undefined;
  private inode = -1;
  private knownSize = -1;
  private state: ChainState = { seq: 0, hash: GENESIS_HASH };
  private endsMidLine = false;
  private releaseScheduled = false;
  private readonly sealer = new LineSealer();

  constructor(options: AuditLogOptions) {
    this.settings = options.settings;
    this.redact = options.redact ?? ((text) => text);
    this.lock = new FileLock(`${this.settings.file}.lock`);
  }

  get file(): string {
    return this.settings.file;
  }

  updateSettings(settings: AuditLogSettings): void {
    if (settings.file !== this.settings.file) {
      this.close();
      this.lock = new FileLock(`${settings.file}.lock`);
    }
    this.settings = settings;
  }

  /** Whether the switches let this event into the log. */
  accepts(event: AuditEvent): boolean {
    const settings = this.settings;
    const level = event.level ?? defaultLevel(event.kind);
    if (AUDIT_LEVELS.indexOf(level) < AUDIT_LEVELS.indexOf(settings.level)) return false;
    if (ALWAYS.has(event.kind)) return true;
    switch (event.kind) {
      case 'user_command':
        return settings.logPrompts;
      case 'agent_response':
        return settings.logResponses;
      case 'api_call':
        return settings.logApiCalls;
      default:
        // tool_call / tool_result
        return settings.logToolCalls && settings.logAllActions;
    }
  }

  /** Writes the event if the switches allow it; returns the sealed line (or undefined). */
  append(event: AuditEvent): { line: string; seq: number } | undefined {
    if (!this.accepts(event)) return undefined;
    const body = this.redact(formatBody(event));
    this.holdLock();
    const seq = this.state.seq + 1;
    const sealed = this.sealer.seal(body, seq, this.state.hash, this.endsMidLine);
    const bytes = sealed.bytes.length;
    if (this.knownSize > 0 && this.knownSize + bytes > this.settings.maxSizeBytes) this.rotate();
    // The one write of this line: it is in the file (the kernel's) before append returns.
    const written = fs.writeSync(this.fd!, sealed.bytes);
    this.knownSize += written;
    this.endsMidLine = false;
    this.state = { seq, hash: sealed.hash };
    return { line: sealed.line, seq: this.state.seq };
  }

  /** Takes the lock for this burst of appends and catches up with other writers. */
  private holdLock(): void {
    if (this.lock.isHeld) return;
    if (this.fd === undefined) {
      fs.mkdirSync(path.dirname(this.settings.file), { recursive: true, mode: 0o700 });
    }
    this.lock.acquire();
    if (!this.releaseScheduled) {
      this.releaseScheduled = true;
      setImmediate(() => {
        this.releaseScheduled = false;
        this.lock.release();
      });
    }
    try {
      this.catchUp();
    } catch (error) {
      this.lock.release();
      throw error;
    }
  }

  private openFile(): void {
    const folder = path.dirname(this.settings.file);
    fs.mkdirSync(folder, { recursive: true, mode: 0o700 });
    this.fd = fs.openSync(this.settings.file, 'a', 0o600);
    const stat = fs.fstatSync(this.fd);
    if ((stat.mode & 0o077) !== 0) fs.fchmodSync(this.fd, 0o600);
    this.inode = stat.ino;
  }

  /** Another process may have appended or rotated since we last held the lock. */
  private catchUp(): void {
    let current: fs.Stats | undefined;
    try {
      current = fs.statSync(this.settings.file);
    } catch {
      current = undefined;
    }
    if (this.fd === undefined || !current || current.ino !== this.inode) {
      if (this.fd !== undefined) fs.closeSync(this.fd);
      this.openFile();
      this.knownSize = -1;
    }
    const size = fs.fstatSync(this.fd!).size;
    if (size === this.knownSize) return;
    let tail = readTail(this.settings.file);
    if (!tail.state && size === 0) {
      // Just rotated: the chain continues from the newest rotated file.
      const previous = readTail(rotatedName(this.settings.file, 1));
      tail = { ...(previous.state ? { state: previous.state } : {}), endsMidLine: false };
    }
    this.state = tail.state ?? { seq: 0, hash: GENESIS_HASH };
    this.endsMidLine = tail.endsMidLine;
    this.knownSize = size;
  }

  private rotate(): void {
    const { file, maxFiles } = this.settings;
    fs.closeSync(this.fd!);
    this.fd = undefined;
    fs.rmSync(rotatedName(file, maxFiles), { force: true });
    for (let index = maxFiles - 1; index >= 1; index--) {
      const from = rotatedName(file, index);
      if (fs.existsSync(from)) fs.renameSync(from, rotatedName(file, index + 1));
    }
    fs.renameSync(file, rotatedName(file, 1));
    this.openFile();
    this.knownSize = 0;
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
    this.lock.release();
  }
}
