// The audit line: the guide's readable part, then the tamper-evidence suffix.
//   2024-01-15T10:23:45Z INFO  [tool_call] email.send recipient="alice@example.com" subject="..." seq=7 sha256=…
// sha256 = base64url SHA-256(previous line's sha256 + "\n" + this line up to and including "seq=N"),
// so changing, removing, reordering or duplicating any line breaks every hash after it.
import { hash as oneShotHash } from 'node:crypto';
import { type AuditEvent, type AuditFieldValue, defaultLevel } from './auditEvent.js';

export const GENESIS_HASH = 'A'.repeat(43);
export const CHAIN_SUFFIX = / seq=(\d+) sha256=([\w-]{43})$/;

function quote(value: string): string {
  // JSON string syntax: quotes and backslashes escaped, newlines and control characters
  // as \n, \u001b … — so one event is always exactly one line and a value cannot fake the
  // chain suffix or an extra log line.
  return JSON.stringify(value);
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

function fieldKey(key: string): string {
  let formatted = keyCache.get(key);
  if (formatted === undefined) {
    formatted = ` ${SAFE_KEY.test(key) ? key : 'field'}=`;
    if (keyCache.size < 10_000) keyCache.set(key, formatted);
  }
  return formatted;
}

let cachedSecond = NaN;
let cachedTime = '';

/** "2024-01-15T10:23:45Z" — formatted once per second, not once per line. */
export function formatTime(time: Date): string {
  const second = Math.floor(time.getTime() / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedTime = `${time.toISOString().slice(0, 19)}Z`;
  }
  return cachedTime;
}

const LEVEL_COLUMN: Record<string, string> = {
  DEBUG: 'DEBUG',
  INFO: 'INFO ',
  WARN: 'WARN ',
  ERROR: 'ERROR',
};

/** The readable part of the line, before redaction and the chain suffix. */
export function formatBody(event: AuditEvent): string {
  const level = event.level ?? defaultLevel(event.kind);
  let body = `${formatTime(event.time ?? new Date())} ${LEVEL_COLUMN[level]} [${event.kind}]`;
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
  return body;
}

export function chainHash(previousHash: string, bodyWithSeq: string): string {
  // crypto.hash: one call instead of a Hash object per line (the audit log's hot path).
  // base64url: 43 characters instead of 64 hex — every byte of every line is written, and
  // on these disks the volume, not the hashing, sets the pace.
  return oneShotHash('sha256', `${previousHash}\n${bodyWithSeq}`, 'base64url');
}

/** Appends ` seq=N sha256=…` to a (redacted) body. */
export function sealLine(
  body: string,
  seq: number,
  previousHash: string,
): { line: string; hash: string } {
  const withSeq = `${body} seq=${seq}`;
  const hash = chainHash(previousHash, withSeq);
  return { line: `${withSeq} sha256=${hash}`, hash };
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
