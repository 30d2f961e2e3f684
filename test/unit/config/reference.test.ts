import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_KEYS } from '../../../src-main/config/index.js';
import {
  REFERENCE_FILE,
  renderConfigReference,
  withConfigReference,
} from '../../../src-main/config/reference.js';

// The keys DESIGN.md §3 promises, exactly as users and later issues name them.
const PROMISED_KEYS = [
  'ui.hotkey',
  'ui.quick_prompt_session',
  'security.allowed_paths',
  'security.blocked_paths',
  'security.require_confirmation',
  'security.confirm_operations',
  'security.read_only',
  'security.log_all_actions',
  'security.rate_limits.emails_per_hour',
  'security.rate_limits.api_calls_per_minute',
  'security.rate_limits.file_operations_per_minute',
  'security.rate_limits.shell_commands_per_minute',
  'security.rate_limits.mcp_calls_per_minute',
  'security.stop_on_error_count',
  'security.stop_on_cost_limit',
  'security.key_rotation_days',
  'security.untrusted_content_guard',
  'security.trusted_paths',
  'security.sandbox',
  'secrets',
  'integrations.terminal.enabled',
  'integrations.browser.enabled',
  'integrations.browser.executable_path',
  'integrations.jira.enabled',
  'integrations.jira.base_url',
  'integrations.jira.user',
  'integrations.slack.enabled',
  'integrations.slack.base_url',
  'integrations.filesystem.enabled',
  'integrations.network.enabled',
  'integrations.network.allowed_hosts',
  'integrations.email.enabled',
  'integrations.email.smtp.host',
  'integrations.email.smtp.port',
  'integrations.email.smtp.secure',
  'integrations.email.smtp.user',
  'integrations.email.smtp.from',
  'integrations.email.allowed_recipients',
  'integrations.mcp.enabled',
  'integrations.mcp.servers',
  'agent.max_iterations',
  'agent.timeout',
  'agent.confirmation_timeout',
  'logging.level',
  'logging.file',
  'logging.max_size',
  'logging.max_files',
  'logging.log_prompts',
  'logging.log_responses',
  'logging.log_tool_calls',
  'logging.log_api_calls',
  'monitoring.enabled',
  'monitoring.failed_operations_threshold',
  'monitoring.failed_operations_window_seconds',
  'monitoring.alert_on_blocked_path',
  'monitoring.api_burst_factor',
  'monitoring.api_burst_min_calls',
  'monitoring.sensitive_keywords',
  'llm.provider',
  'llm.model',
  'llm.prices',
  'llm.base_url',
  'llm.context_window',
];

describe('config reference', () => {
  it('has every key DESIGN.md promises, each described', () => {
    const keys = CONFIG_KEYS.map((entry) => entry.key);
    expect(keys.sort()).toEqual([...PROMISED_KEYS].sort());
    for (const entry of CONFIG_KEYS) expect(entry.description, entry.key).not.toBe('');
  });

  it('is up to date in docs/configuration.md (run npm run docs:config)', () => {
    const doc = fs.readFileSync(
      path.resolve(import.meta.dirname, '../../..', REFERENCE_FILE),
      'utf8',
    );
    expect(withConfigReference(doc)).toBe(doc);
    expect(renderConfigReference()).toContain('| `security.read_only` | boolean | `false` |');
  });

  it('lists the fields of an MCP server entry, each described, since a user writes them by hand', () => {
    const reference = renderConfigReference();
    for (const field of ['enabled', 'command', 'args', 'cwd', 'env', 'url', 'headers', 'hosts']) {
      expect(reference).toMatch(
        new RegExp(
          `\\| \`integrations\\.mcp\\.servers\\.<name>\\.${field}\` \\| [^|]+ \\| [^|]+ \\| \\S`,
        ),
      );
    }
    expect(reference).toContain(
      '| `integrations.mcp.servers.<name>.tools` | record | `{}` | Tool → allow, ask or deny; a tool not listed: ask. |',
    );
  });
});
