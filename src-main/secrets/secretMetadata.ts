// When each key was last set through OmniPalm, so that `doctor` can say which keys are due for
// rotation. The file holds names and ISO times only — never a value, never a hint of one — and
// is private to the user anyway (0600 in a 0700 folder), written atomically so that a crash
// cannot leave half a file.
import fs from 'node:fs';
import path from 'node:path';
import { ensurePrivateFolder, writeFileAtomic } from '../config/atomicWrite.js';
import { isSecretName, type SecretName } from '../config/schema.js';

export function secretMetadataFile(home: string): string {
  return path.join(home, 'state', 'keys.json');
}

export class SecretMetadata {
  readonly file: string;

  constructor(home: string) {
    this.file = secretMetadataFile(home);
  }

  /**
   * Last-set times by name; a missing or unreadable file means "never set here". Names that
   * are not secret names are skipped, so the file cannot smuggle any into `keys list`.
   */
  read(): Record<string, Date> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(fs.readFileSync(this.file, 'utf8'));
    } catch {
      return {};
    }
    const times: Record<string, Date> = {};
    if (parsed === null || typeof parsed !== 'object') return times;
    for (const [name, value] of Object.entries(parsed)) {
      if (!isSecretName(name)) continue;
      if (typeof value !== 'string') continue;
      const time = new Date(value);
      if (!Number.isNaN(time.getTime())) times[name] = time;
    }
    return times;
  }

  lastSet(name: SecretName): Date | undefined {
    return this.read()[name];
  }

  recordSet(name: SecretName, when = new Date()): void {
    this.write({ ...this.read(), [name]: when });
  }

  recordDelete(name: SecretName): void {
    const times = this.read();
    if (!(name in times)) return;
    delete times[name];
    this.write(times);
  }

  private write(times: Record<string, Date>): void {
    ensurePrivateFolder(path.dirname(this.file));
    const json: Record<string, string> = {};
    for (const [name, time] of Object.entries(times)) {
      if (isSecretName(name)) json[name] = time.toISOString();
    }
    writeFileAtomic(this.file, `${JSON.stringify(json, null, 2)}\n`, 0o600);
  }
}
