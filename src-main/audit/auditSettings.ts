import path from 'node:path';
import { parseSize, type OmniPalmConfig } from '../config/schema.js';
import type { AuditLogSettings } from './auditLog.js';

export function auditSettingsFromConfig(
  config: OmniPalmConfig,
  omnipalmHome: string,
): AuditLogSettings {
  const { logging, security } = config;
  return {
    file: logging.file ?? path.join(omnipalmHome, 'logs', 'audit.log'),
    maxSizeBytes: parseSize(logging.max_size),
    maxFiles: logging.max_files,
    level: logging.level,
    logAllActions: security.log_all_actions,
    logPrompts: logging.log_prompts,
    logResponses: logging.log_responses,
    logToolCalls: logging.log_tool_calls,
    logApiCalls: logging.log_api_calls,
  };
}
