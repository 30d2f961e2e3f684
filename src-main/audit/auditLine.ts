// The audit line: the guide's readable part, then the tamper-evidence suffix.
//   2024-01-15T10:23:45Z INFO  [tool_call] email.send recipient="alice@example.com" subject="..." seq=7 sha256=…
// An event of a conversation's turn ends its readable part with session="<id>" (issue 17).
// sha256 = base64url SHA-256(previous line's sha256 + "\n" + this line up to and including "seq=N"),
// so changing, removing, reordering or duplicating any line breaks every hash after it.
import { hash as oneShotHash } from 'node:crypto';
import { type AuditEvent, type AuditFieldValue, defaultLevel } from './auditEvent.js';

export const GENESIS_HASH = 'A'.repeat(43);
export const CHAIN_SUFFIX = / seq=(\d+) sha256=([\w-]{43})$/;

/** What JSON.stringify would change in a string: `"`, `\\`, control characters, surrogates. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what it finds
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

function quote(value: string): string {
  // JSON string syntax: quotes and backslashes escaped, newlines and control characters
  // as \n, \u001b … — so one event is always exactly one line and a value cannot fake the
  // chain suffix or an extra log line. Most values need no escape at all: then the quotes
  // alone give the same text without JSON.stringify's call.
  return NEEDS_ESCAPE.test(value) ? JSON.stringify(value) : `"${value}"`;
}

function formatValue(value: AuditFieldValue): string {
  return typeof value === 'string' ? quote(value) : String(value);
}

const SAFE_NAME = /^[\w.:/@-]+$/;
const SAFE_KEY = /^[\w.-]+$/;
// Names and keys repeat endlessly (a handful of tools and field names): judge each once.
const nameCache = new Map<string, string>();
const keyCache = new Map<string, string>();

/** A bare word (tool name) keeps only characters that cannot break the format. */
function bareWord(name: string): string {
  let formatted = nameCache.get(name);
  if (formatted === undefined) {
    formatted = SAFE_NAME.test(name) ? name : quote(name);
    if (nameCache.size < 10_000) nameCache.set(name, formatted);
  }
  return formatted;
}

/**
 * The key of AuditEvent.sessionId on the line. Reserved: an event's own field of that name is
 * written as `field=` (as a key that could break the format is), so that `session=` on a
 * line always names the session and a tool's input cannot claim a turn of another one.
 */
export const SESSION_KEY = 'session';

function fieldKey(key: string): string {
  let formatted = keyCache.get(key);
  if (formatted === undefined) {
    formatted = ` ${SAFE_KEY.test(key) && key !== SESSION_KEY ? key : 'field'}=`;
    if (keyCache.size < 10_000) keyCache.set(key, formatted);
  }
  return formatted;
}

let cachedSecond = NaN;
let cachedTime = '';

/** "2024-01-15T10:23:45Z" — formatted once per second, not once per line. */
export function formatTime(time: Date | number): string {
  const milliseconds = typeof time === 'number' ? time : time.getTime();
  const second = Math.floor(milliseconds / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedTime = `${new Date(milliseconds).toISOString().slice(0, 19)}Z`;
  }
  return cachedTime;
}

const LEVEL_COLUMN: Record<string, string> = {
  DEBUG: 'DEBUG',
  INFO: 'INFO ',
  WARN: 'WARN ',
  ERROR: 'ERROR',
};

export interface BodyOptions {
  /**
   * Default true: the audit line names the session. The timeline's summary leaves it out:
   * the timeline keeps the session in its own column, filters on it, and shows each row
   * without a 32-character id repeated on every line of a conversation.
   */
  session?: boolean;
}

/** The readable part of the line, before redaction and the chain suffix. */
export function formatBody(event: AuditEvent, options?: BodyOptions): string {
  const level = event.level ?? defaultLevel(event.kind);
  let body = `${formatTime(event.time ?? Date.now())} ${LEVEL_COLUMN[level]} [${event.kind}]`;
  if (event.name !== undefined) body += ` ${bareWord(event.name)}`;
  if (event.text !== undefined) body += ` ${quote(event.text)}`;
  const fields = event.fields;
  if (fields) {
    for (const key in fields) {
      const value = fields[key];
      if (value === undefined) continue;
      body += fieldKey(key) + formatValue(value);
    }
  }
  if (event.sessionId !== undefined && options?.session !== false) {
    body += ` ${SESSION_KEY}=${quote(event.sessionId)}`;
  }
  return body;
}

export function chainHash(previousHash: string, bodyWithSeq: string): string {
  // crypto.hash: one call instead of a Hash object per line (the audit log's hot path).
  // base64url: 43 characters instead of 64 hex — every byte of every line is written, and
  // on these disks the volume, not the hashing, sets the pace.
  return oneShotHash('sha256', `${previousHash}\n${bodyWithSeq}`, 'base64url');
}

export interface ParsedSeal {
  body: string;
  seq: number;
  hash: string;
}

export function parseSeal(line: string): ParsedSeal | undefined {
  const match = CHAIN_SUFFIX.exec(line);
  if (!match) return undefined;
  return { body: line.slice(0, match.index), seq: Number(match[1]), hash: match[2]! };
}

/** Base64url SHA-256 is always this long. */
const HASH_LENGTH = 43;
/** Where the line starts in LineSealer's buffer: after the previous hash and "\n". */
const LINE_START = HASH_LENGTH + 1;
/** " seq=" + up to 16 digits + " sha256=" + the hash + "\n". */
const SUFFIX_ROOM = 5 + 16 + 8 + HASH_LENGTH + 1;

/**
 * Seals lines for the audit log's one write each, encoding each line to UTF-8 once. The
 * previous hash and "\n" sit in the buffer just before the line, so the hash input
 * (previous hash + "\n" + body + " seq=N") and the bytes to write (body + suffix + "\n",
 * from one byte earlier when a crashed writer left the file mid-line) are two views of the
 * same bytes. The hash is exactly chainHash's: both hash the UTF-8 of the same text.
 */
export class LineSealer {
  private buffer = Buffer.allocUnsafe(16 * 1024);

  /**
   * The sealed line's bytes are valid until the next call. `closePreviousLine` puts a "\n"
   * in front, ending a line another writer left unfinished.
   */
  seal(
    body: string,
    seq: number,
    previousHash: string,
    closePreviousLine: boolean,
  ): { bytes: Uint8Array; line: string; hash: string } {
    // A UTF-16 unit never takes more than 3 bytes in UTF-8.
    const room = LINE_START + body.length * 3 + SUFFIX_ROOM;
    if (room > this.buffer.length) this.buffer = Buffer.allocUnsafe(room * 2);
    const buffer = this.buffer;
    buffer.write(previousHash, 0, 'latin1');
    buffer[HASH_LENGTH] = 0x0a;
    let end = LINE_START + buffer.write(body, LINE_START, 'utf8');
    const seqText = ` seq=${seq}`;
    end += buffer.write(seqText, end, 'latin1');
    const hash = oneShotHash('sha256', buffer.subarray(0, end), 'base64url');
    const sealText = ` sha256=${hash}\n`;
    end += buffer.write(sealText, end, 'latin1');
    const start = closePreviousLine ? HASH_LENGTH : LINE_START;
    return {
      bytes: buffer.subarray(start, end),
      line: `${body}${seqText} sha256=${hash}`,
      hash,
    };
  }
}
