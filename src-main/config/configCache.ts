// A cache of the *validated* configuration at $OMNIPALM_HOME/state/config-cache.json, so that
// the one-shot commands (`omnipalm config get`, `omnipalm policy check`) answer without
// loading yaml and zod and building the schema (~110 ms, most of their start-up).
//
// Why it cannot change a decision: the validated config is a pure function of config.yaml's
// bytes and of the code that parses and validates them (yaml, zod, schema.ts, the credential
// check…). The cache entry is keyed by the SHA-256 of exactly the bytes read, and by a
// fingerprint of that code which scripts/build-cli.mjs computes from its sources and injects
// at build time; a build without one (tsx, the Electron app, tests) neither reads nor writes
// the cache. What depends on more than the bytes — defaults resolved against $OMNIPALM_HOME —
// is never cached: it is applied after reading (resolveHomeDefaults), as after a full load.
// Only a successful full load writes an entry, so an invalid config is never cached, and any
// doubt about an entry (missing, another key, unreadable, not JSON, a symlink, a hard link,
// not ours or not private) means the full load, which reports problems as it always did.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { ensurePrivateFolder, writeFileAtomic } from './atomicWrite.js';
import { configFilePath } from './home.js';
import type { OmniPalmConfig } from './schema.js';

declare const __OMNIPALM_CONFIG_FINGERPRINT__: string | undefined;

/** The fingerprint of the config code, injected by scripts/build-cli.mjs; none from source. */
export const BUILT_CONFIG_FINGERPRINT: string | undefined =
  typeof __OMNIPALM_CONFIG_FINGERPRINT__ === 'string' ? __OMNIPALM_CONFIG_FINGERPRINT__ : undefined;

/** Bumped when the entry's layout changes. */
const FORMAT = 1;
/** A real entry is a few kB; anything far larger is not one of ours. */
const MAX_ENTRY_BYTES = 1024 * 1024;

export function configCacheFile(home: string): string {
  return path.join(home, 'state', 'config-cache.json');
}

/** SHA-256 of config.yaml's bytes; a missing file (the defaults) has a digest of its own. */
export function configDigest(bytes: Buffer | undefined): string {
  return bytes === undefined ? 'absent' : createHash('sha256').update(bytes).digest('hex');
}

/**
 * The key an entry must carry. The platform and Node version are in it too: the schema judges
 * paths with path.isAbsolute (platform-dependent), and a home folder may be shared.
 */
function entryKey(fingerprint: string, digest: string): string {
  return createHash('sha256')
    .update(JSON.stringify([FORMAT, fingerprint, process.platform, process.version, digest]))
    .digest('hex');
}

interface CacheEntry {
  format: number;
  key: string;
  /** The validated config before resolveHomeDefaults. */
  config: OmniPalmConfig;
  /** Every config key, leaves and sections (keys.ts ALL_KEYS): `config get` checks KEY here. */
  keys: string[];
}

export interface CachedConfig {
  /** The effective configuration, as ConfigStore.load returns it. */
  config: OmniPalmConfig;
  keys: ReadonlySet<string>;
}

/** Defaults that depend on where OmniPalm's home is: applied after a full load or a cache hit. */
export function resolveHomeDefaults(config: OmniPalmConfig, home: string): OmniPalmConfig {
  return {
    ...config,
    logging: {
      ...config.logging,
      file: config.logging.file ?? path.join(home, 'logs', 'audit.log'),
    },
  };
}

/** The value at a dotted key ("security.read_only"), or undefined. */
export function valueAt(data: unknown, key: string): unknown {
  let current = data;
  for (const part of key.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

const currentUid = (): number | undefined =>
  typeof process.getuid === 'function' ? process.getuid() : undefined;

/**
 * Reads the entry file, refusing anything another user (or a symlink or hard link planted by
 * one) could have put there: those would let them choose the policy the CLI reports.
 */
function readPrivateFile(file: string): string | undefined {
  const uid = currentUid();
  const folder = fs.lstatSync(path.dirname(file));
  if (!folder.isDirectory()) return undefined;
  if (uid !== undefined && (folder.uid !== uid || (folder.mode & 0o022) !== 0)) return undefined;
  // O_NOFOLLOW: the check below must be about the file read, not a link's target.
  const noFollow = fs.constants.O_NOFOLLOW ?? 0;
  if (noFollow === 0 && fs.lstatSync(file).isSymbolicLink()) return undefined;
  const fd = fs.openSync(file, fs.constants.O_RDONLY | noFollow);
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile() || stat.nlink !== 1 || stat.size > MAX_ENTRY_BYTES) return undefined;
    if (uid !== undefined && (stat.uid !== uid || (stat.mode & 0o077) !== 0)) return undefined;
    return fs.readFileSync(fd, 'utf8');
  } finally {
    fs.closeSync(fd);
  }
}

function isEntry(value: unknown): value is CacheEntry {
  if (value === null || typeof value !== 'object') return false;
  const entry = value as Partial<CacheEntry>;
  return (
    entry.format === FORMAT &&
    typeof entry.key === 'string' &&
    entry.config !== null &&
    typeof entry.config === 'object' &&
    Array.isArray(entry.keys) &&
    entry.keys.every((key) => typeof key === 'string')
  );
}

/** The cached validated config (before resolveHomeDefaults) for these bytes, if any. */
export function readCacheEntry(
  home: string,
  digest: string,
  fingerprint: string | undefined = BUILT_CONFIG_FINGERPRINT,
): CacheEntry | undefined {
  if (fingerprint === undefined) return undefined;
  try {
    const text = readPrivateFile(configCacheFile(home));
    if (text === undefined) return undefined;
    const entry: unknown = JSON.parse(text);
    return isEntry(entry) && entry.key === entryKey(fingerprint, digest) ? entry : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The effective configuration from the cache, or undefined when the caller must take the full
 * load (ConfigStore.load). config.yaml is read once here and those bytes are what is matched.
 */
export function loadCachedConfig(
  home: string,
  fingerprint: string | undefined = BUILT_CONFIG_FINGERPRINT,
): CachedConfig | undefined {
  if (fingerprint === undefined) return undefined;
  let bytes: Buffer | undefined;
  try {
    bytes = fs.readFileSync(configFilePath(home));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return undefined;
  }
  const entry = readCacheEntry(home, configDigest(bytes), fingerprint);
  if (!entry) return undefined;
  return { config: resolveHomeDefaults(entry.config, home), keys: new Set(entry.keys) };
}

/**
 * Records the result of a successful full load of the bytes with this digest. Best effort: a
 * home that cannot be written only means no cache. Two processes may write at once; each
 * writes a whole entry in one rename, and an entry is right for its key whoever wrote it.
 */
export function writeCacheEntry(
  home: string,
  digest: string,
  config: OmniPalmConfig,
  keys: readonly string[],
  fingerprint: string | undefined = BUILT_CONFIG_FINGERPRINT,
): void {
  if (fingerprint === undefined) return;
  try {
    const entry: CacheEntry = {
      format: FORMAT,
      key: entryKey(fingerprint, digest),
      config,
      keys: [...keys],
    };
    const text = JSON.stringify(entry);
    // Only what JSON gives back exactly (no -0, no undefined, no prototype keys) is cached.
    if (!isDeepStrictEqual((JSON.parse(text) as CacheEntry).config, config)) return;
    const existing = readCacheEntry(home, digest, fingerprint);
    if (existing && isDeepStrictEqual(existing, JSON.parse(text))) return;
    // A read command never creates OmniPalm's home; the state folder inside it, privately.
    if (!fs.statSync(home).isDirectory()) return;
    const file = configCacheFile(home);
    ensurePrivateFolder(path.dirname(file));
    writeFileAtomic(file, text, 0o600);
  } catch {
    // No cache: the next start takes the full load again.
  }
}
