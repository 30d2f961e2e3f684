// The message a view shows for a failed call: main's own words, whichever transport carried it.
import { describe, expect, it } from 'vitest';
import { errorText } from '../../../src-renderer/views/errorText';

describe('errorText', () => {
  it("drops Electron's wrapping of an error thrown in main", () => {
    expect(
      errorText(
        new Error(
          `Error invoking remote method 'mcp.review': McpConnectionError: MCP server "notes": exited before it finished starting`,
        ),
      ),
    ).toBe('MCP server "notes": exited before it finished starting');
    expect(
      errorText(new Error(`Error invoking remote method 'config.get': Error: config.yaml: bad`)),
    ).toBe('config.yaml: bad');
  });

  it('keeps any other message as it is', () => {
    expect(errorText(new Error('MCP server lists different tools: Error: x'))).toBe(
      'MCP server lists different tools: Error: x',
    );
    expect(errorText('plain')).toBe('plain');
  });
});
