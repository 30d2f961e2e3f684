// Audit log settings for tests and benchmarks: the defaults of the configuration for `file`,
// with what a test wants changed.
import type { AuditLogSettings } from '../../src-main/audit/auditLog.js';

export function auditSettings(
  file: string,
  overrides: Partial<AuditLogSettings> = {},
): AuditLogSettings {
  return {
    file,
    maxSizeBytes: 100 * 1024 ** 2,
    maxFiles: 10,
    level: 'INFO',
    logAllActions: true,
    logPrompts: true,
    logResponses: true,
    logToolCalls: true,
    logApiCalls: false,
    ...overrides,
  };
}
