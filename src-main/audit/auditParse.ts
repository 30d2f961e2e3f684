// Reads an audit line back into its parts (for `audit export` and `audit tail`).
import type { AuditFieldValue } from './auditEvent.js';
import { parseSeal, SESSION_KEY } from './auditLine.js';

export interface ParsedAuditLine {
  seq: number;
  time: string;
  level: string;
  kind: string;
  name?: string;
  text?: string;
  fields: Record<string, AuditFieldValue>;
  /** The conversation whose turn wrote the line (its `session="…"`), if any. */
  sessionId?: string;
  sha256: string;
}

const HEAD = /^(\S+) (\S+) +\[([a-z_]+)\]/;

/** Reads a JSON string literal starting at `start`; returns it and the index after it. */
function readQuoted(text: string, start: number): [string, number] {
  let index = start + 1;
  while (index < text.length) {
    if (text[index] === '\\') index += 2;
    else if (text[index] === '"') break;
    else index++;
  }
  return [JSON.parse(text.slice(start, index + 1)) as string, index + 1];
}

function bare(value: string): AuditFieldValue {
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (value === 'null') return null;
  const number = Number(value);
  return value !== '' && Number.isFinite(number) ? number : value;
}

export function parseAuditLine(line: string): ParsedAuditLine | undefined {
  const seal = parseSeal(line);
  if (!seal) return undefined;
  const head = HEAD.exec(seal.body);
  if (!head) return undefined;
  const parsed: ParsedAuditLine = {
    seq: seal.seq,
    time: head[1]!,
    level: head[2]!,
    kind: head[3]!,
    fields: {},
    sha256: seal.hash,
  };
  const rest = seal.body.slice(head[0].length);
  let index = 0;
  while (index < rest.length) {
    if (rest[index] === ' ') {
      index++;
      continue;
    }
    const key = /^([\w.-]+)=/.exec(rest.slice(index));
    if (key) {
      index += key[0].length;
      if (rest[index] === '"') {
        const [value, next] = readQuoted(rest, index);
        parsed.fields[key[1]!] = value;
        index = next;
      } else {
        const end = rest.indexOf(' ', index);
        const stop = end < 0 ? rest.length : end;
        parsed.fields[key[1]!] = bare(rest.slice(index, stop));
        index = stop;
      }
    } else if (rest[index] === '"') {
      const [value, next] = readQuoted(rest, index);
      parsed.text = value;
      index = next;
    } else {
      const end = rest.indexOf(' ', index);
      const stop = end < 0 ? rest.length : end;
      parsed.name = rest.slice(index, stop);
      index = stop;
    }
  }
  // The key is reserved for the session (auditLine.ts): lift it out of the event's fields.
  const session = parsed.fields[SESSION_KEY];
  if (session !== undefined) {
    delete parsed.fields[SESSION_KEY];
    parsed.sessionId = String(session);
  }
  return parsed;
}

/** The guide's readable part of a line, without the chain suffix. */
export function readablePart(line: string): string {
  return parseSeal(line)?.body ?? line;
}
