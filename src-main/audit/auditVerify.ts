// `omnipalm audit verify`: walks the rotated files oldest first and the current one last,
// re-computing the hash chain. The first break is named as file:line with what it looks like
// (altered, deleted, duplicated or reordered line; missing or swapped rotated file). A line
// cut off by a crash is reported as a warning, not as tampering, when the chain runs on
// unbroken past it.
import fs from 'node:fs';
import path from 'node:path';
import { chainHash, GENESIS_HASH, parseSeal } from './auditLine.js';

export interface VerifyFinding {
  file: string;
  line: number;
  message: string;
}

export interface VerifyResult {
  ok: boolean;
  files: string[];
  lines: number;
  lastSeq: number;
  problem?: VerifyFinding;
  warnings: VerifyFinding[];
}

/** The log's files, oldest first: audit.log.N … audit.log.1, audit.log. */
export function auditFiles(file: string): { files: string[]; missing: string[] } {
  const folder = path.dirname(file);
  const base = path.basename(file);
  let names: string[];
  try {
    names = fs.readdirSync(folder);
  } catch {
    return { files: [], missing: [] };
  }
  const indexes = names
    .map((name) => (name.startsWith(`${base}.`) ? Number(name.slice(base.length + 1)) : NaN))
    .filter((index) => Number.isInteger(index) && index > 0)
    .sort((a, b) => b - a);
  const missing: string[] = [];
  for (let index = 1; index < (indexes[0] ?? 0); index++) {
    if (!indexes.includes(index)) missing.push(path.join(folder, `${base}.${index}`));
  }
  const files = indexes.map((index) => path.join(folder, `${base}.${index}`));
  if (names.includes(base)) files.push(file);
  return { files, missing };
}

export function verifyAuditLog(file: string, options: { maxFiles?: number } = {}): VerifyResult {
  const { files, missing } = auditFiles(file);
  const warnings: VerifyFinding[] = [];
  let lines = 0;
  let previous: { seq: number; hash: string } | undefined;
  let unsealed: VerifyFinding | undefined;
  const fail = (problem: VerifyFinding): VerifyResult => ({
    ok: false,
    files,
    lines,
    lastSeq: previous?.seq ?? 0,
    problem,
    warnings,
  });
  if (missing.length > 0) {
    return fail({
      file: missing[0]!,
      line: 0,
      message: 'rotated file is missing (deleted or renamed)',
    });
  }
  if (files.length === 0) {
    return {
      ok: true,
      files,
      lines: 0,
      lastSeq: 0,
      warnings: [{ file, line: 0, message: 'no audit log yet' }],
    };
  }
  const rotatedCount = files.length - (files.at(-1) === file ? 1 : 0);

  for (const [fileIndex, current] of files.entries()) {
    const content = fs.readFileSync(current, 'utf8');
    if (content === '') continue;
    const rows = content.split('\n');
    const endsMidLine = !content.endsWith('\n');
    if (!endsMidLine) rows.pop();
    for (const [index, row] of rows.entries()) {
      const where = { file: current, line: index + 1 };
      const seal = parseSeal(row);
      if (!seal) {
        const last = index === rows.length - 1 && endsMidLine;
        if (last && fileIndex === files.length - 1) {
          warnings.push({
            ...where,
            message: 'partial last line (written when a crash cut it off)',
          });
          continue;
        }
        // Only a crash-cut line if the chain runs on unbroken past it (checked below).
        if (unsealed)
          return fail({ ...unsealed, message: 'line without a hash (inserted or cut)' });
        unsealed = {
          ...where,
          message: 'line cut off by a crash (no hash); the chain continues past it',
        };
        continue;
      }
      lines++;
      if (!previous) {
        if (seal.seq !== 1) {
          const historyRotatedAway =
            options.maxFiles !== undefined && rotatedCount >= options.maxFiles;
          if (!historyRotatedAway) {
            return fail({
              ...where,
              message: `first line has seq=${seal.seq}: earlier lines or rotated files are missing`,
            });
          }
          warnings.push({
            ...where,
            message: `older history was rotated away (starts at seq=${seal.seq})`,
          });
        } else if (chainHash(GENESIS_HASH, `${seal.body} seq=1`) !== seal.hash) {
          return fail({ ...where, message: 'line altered (hash does not match)' });
        }
      } else {
        const problem = checkLink(previous, seal);
        if (problem)
          return fail({
            ...(unsealed ?? where),
            message: unsealed ? 'line without a hash (inserted or cut)' : problem,
          });
      }
      if (unsealed) {
        warnings.push(unsealed);
        unsealed = undefined;
      }
      previous = { seq: seal.seq, hash: seal.hash };
    }
  }
  if (unsealed) warnings.push(unsealed);
  return { ok: true, files, lines, lastSeq: previous?.seq ?? 0, warnings };
}

function checkLink(
  previous: { seq: number; hash: string },
  seal: { body: string; seq: number; hash: string },
): string | undefined {
  if (seal.seq === previous.seq) return `line duplicated (seq=${seal.seq} appears twice)`;
  if (seal.seq < previous.seq)
    return `lines out of order (seq=${seal.seq} after seq=${previous.seq})`;
  if (seal.seq > previous.seq + 1) {
    const gap = seal.seq - previous.seq - 1;
    return `${gap} line${gap === 1 ? '' : 's'} deleted before this one (seq=${previous.seq} then seq=${seal.seq})`;
  }
  if (chainHash(previous.hash, `${seal.body} seq=${seal.seq}`) !== seal.hash) {
    return 'line altered (hash does not match)';
  }
  return undefined;
}
