// Loads, validates and edits $OMNIPALM_HOME/config.yaml. A missing file means the guide's
// defaults; a present file is validated strictly and never partly applied: any problem is
// an error, because falling back to defaults could silently widen what the agent may do.
import fs from 'node:fs';
import { Document, LineCounter, isSeq, parse as parseYaml, parseDocument } from 'yaml';
import { ensurePrivateFolder, withFileLock, writeFileAtomic } from './atomicWrite.js';
import { credentialMessage, findCredentials } from '../secrets/credentialCheck.js';
import {
  BUILT_CONFIG_FINGERPRINT,
  configDigest,
  resolveHomeDefaults,
  valueAt,
  writeCacheEntry,
} from './configCache.js';
import { ConfigError, describeIssues, formatPath, type SourceMap } from './configError.js';
import { configFilePath } from './home.js';
import { ALL_KEYS, isSection, schemaAt, unknownKeyMessage, unwrapSchema } from './keys.js';
import { configSchema, type OmniPalmConfig } from './schema.js';

interface ParsedFile {
  document: Document;
  lineCounter: LineCounter;
  data: unknown;
}

export interface ConfigStoreOptions {
  /**
   * The config code's fingerprint that keys state/config-cache.json (configCache.ts); the
   * bundled CLI's own by default, and none (no cache) when running from source.
   */
  cacheFingerprint?: string;
}

/** Parses YAML text; a syntax error names file:line:column and nothing is changed. */
function parseConfigText(text: string, file: string): ParsedFile {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  const first = document.errors[0];
  if (first) {
    const position = first.linePos?.[0];
    const where = position ? `${file}:${position.line}:${position.col}` : file;
    const reason = first.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    throw new ConfigError([`${where}: invalid YAML: ${reason}`]);
  }
  const data = document.toJS() ?? {};
  return { document, lineCounter, data };
}

/** Validates already-parsed data; returns the config with every default filled in. */
export function validateConfigData(data: unknown, source: SourceMap): OmniPalmConfig {
  const result = configSchema.safeParse(data, { reportInput: true });
  if (!result.success) throw new ConfigError(describeIssues(result.error.issues, source));
  const credentials = findCredentials(result.data);
  if (credentials.length > 0) {
    throw new ConfigError(
      credentials.map(
        ({ path: where, rule }) =>
          `${locateValue(source, where)}: ${formatPath(where)}: ${credentialMessage(rule)}`,
      ),
    );
  }
  return result.data;
}

/** `file:line:col` of the value at `where`, or just the file when it has no position. */
function locateValue(source: SourceMap, where: (string | number)[]): string {
  const node = source.document?.getIn(where, true) as { range?: [number, number, number] } | null;
  const offset = node?.range?.[0];
  if (offset === undefined || !source.lineCounter) return source.file;
  const { line, col } = source.lineCounter.linePos(offset);
  return `${source.file}:${line}:${col}`;
}

/** Reads and validates a config file that must exist (for `config validate FILE`). */
export function validateConfigFile(file: string): OmniPalmConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError([`${file}: cannot read: ${(error as Error).message}`]);
  }
  const parsed = parseConfigText(text, file);
  return validateConfigData(parsed.data, { file, ...parsed });
}

/**
 * Turns the VALUE of `config set KEY VALUE` into data the way the guide writes it:
 * `true`, `10.00`, `'["delete", "send_email"]'` — YAML (and so JSON) syntax. Keys that hold
 * free text take the text as written, so `config set llm.model 123` stays the string "123".
 */
function parseCommandLineValue(key: string, raw: string): unknown {
  const leaf = unwrapSchema(schemaAt(key)!);
  const isText =
    (leaf as unknown as { _zod: { def: { type: string } } })._zod.def.type === 'string';
  if (isText && !/^\s*["']/.test(raw)) return raw;
  try {
    return parseYaml(raw);
  } catch (error) {
    const reason = (error as Error).message.split('\n')[0];
    throw new ConfigError([
      `value for ${key} is not valid YAML or JSON (${reason}); quote lists like '["a", "b"]'`,
    ]);
  }
}

export class ConfigStore {
  readonly file: string;
  private readonly cacheFingerprint: string | undefined;

  constructor(
    readonly home: string,
    options: ConfigStoreOptions = {},
  ) {
    this.file = configFilePath(home);
    this.cacheFingerprint =
      'cacheFingerprint' in options ? options.cacheFingerprint : BUILT_CONFIG_FINGERPRINT;
  }

  /** True when config.yaml exists (otherwise the defaults apply). */
  exists(): boolean {
    return fs.existsSync(this.file);
  }

  /** The file parsed, and the digest of the exact bytes parsed (for the cache's key). */
  private readFile(): (ParsedFile & { digest: string }) | undefined {
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(this.file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new ConfigError([`${this.file}: cannot read: ${(error as Error).message}`]);
    }
    return { ...parseConfigText(bytes.toString('utf8'), this.file), digest: configDigest(bytes) };
  }

  /**
   * The effective configuration: the file's values over the defaults. Always the full load
   * (yaml, zod); a valid result is recorded in the cache that the CLI's read path uses.
   */
  load(): OmniPalmConfig {
    const parsed = this.readFile();
    const config = validateConfigData(parsed?.data ?? {}, { file: this.file, ...parsed });
    const digest = parsed?.digest ?? configDigest(undefined);
    writeCacheEntry(this.home, digest, config, ALL_KEYS, this.cacheFingerprint);
    return this.withResolvedDefaults(config);
  }

  /** Fills in defaults that depend on where OmniPalm's home is. */
  private withResolvedDefaults(config: OmniPalmConfig): OmniPalmConfig {
    return resolveHomeDefaults(config, this.home);
  }

  /** One key (leaf or section) of the effective configuration. */
  get(key: string): unknown {
    if (!schemaAt(key)) throw new ConfigError([unknownKeyMessage(key)]);
    return valueAt(this.load(), key);
  }

  /**
   * Sets one key from its command-line text and saves, keeping the user's comments and key
   * order. The whole resulting file is validated first; on any problem nothing is written.
   */
  set(key: string, raw: string): { previous: unknown; value: unknown } {
    if (!schemaAt(key)) throw new ConfigError([unknownKeyMessage(key)]);
    const value = parseCommandLineValue(key, raw);
    // Validate once before touching the disk (no folder is created for a value that is
    // refused), and again under the lock against the file as it is then.
    this.applyChange(this.readFile(), key, value);
    ensurePrivateFolder(this.home);
    return withFileLock(this.file, () => {
      const parsed = this.readFile();
      const previous = valueAt(this.load(), key);
      const { document, config } = this.applyChange(parsed, key, value);
      writeFileAtomic(this.file, document.toString({ flowCollectionPadding: false }), 0o600);
      // Read back what was written, as any later load will: this refreshes the cache, so
      // the next `config get` or `policy check` starts fast. Should the text not read back
      // as valid, nothing is cached and the next load reports it, as it did before caching.
      try {
        this.load();
      } catch {
        // Reported by the next load.
      }
      return { previous, value: valueAt(this.withResolvedDefaults(config), key) };
    });
  }

  /** The edited document and the config it would produce; throws when that is invalid. */
  private applyChange(parsed: ParsedFile | undefined, key: string, value: unknown) {
    const document = parsed?.document ?? new Document({});
    const pathParts = key.split('.');
    const existing = document.getIn(pathParts, true);
    const node = document.createNode(value);
    // Keep the user's style: a list written inline stays inline, and its comments stay.
    if (isSeq(node) && isSeq(existing)) node.flow = existing.flow ?? false;
    if (existing && typeof existing === 'object' && 'comment' in existing) {
      const old = existing as { comment?: string | null; commentBefore?: string | null };
      node.comment = old.comment ?? null;
      node.commentBefore = old.commentBefore ?? null;
    }
    document.setIn(pathParts, node);
    const config = validateConfigData(document.toJS() ?? {}, { file: this.file });
    return { document, config };
  }

  isSection(key: string): boolean {
    return isSection(key);
  }
}
