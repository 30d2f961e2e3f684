// @vitest-environment jsdom
// An MCP call's confirmation as the modal shows it: named as an MCP tool call, the arguments
// with their indentation, and characters that hide or reorder text shown where they are, so
// the user approves what they read.
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfirmationModal } from '../../../src-renderer/components/ConfirmationModal';
import { operationLabel, visibleText } from '../../../src-renderer/components/confirmationText';
import { AppStoreContext, createAppStore } from '../../../src-renderer/store';
import { confirmation, fakeBridge } from '../fakeBridge';

afterEach(cleanup);

describe('an MCP call in the confirmation modal', () => {
  it('names the operation, keeps the arguments indented and shows hidden characters', () => {
    const store = createAppStore(fakeBridge().bridge);
    store.getState().confirmationRequested(
      confirmation({
        operation: 'mcp_call',
        risk: 'medium',
        summary: 'Call create_entities on MCP server memory',
        preview: [
          'server: memory (command npx -y @modelcontextprotocol/server-memory)',
          'tool: create_entities',
          'arguments:',
          '  {',
          '    "name": "invoice\u202Efdp.exe"',
          '  }',
          'the server says (not trusted): {"readOnlyHint":true}',
        ],
        fullPreview: undefined,
        reason: 'mcp.memory.create_entities: the rule is ask',
      }),
    );
    render(
      <AppStoreContext value={store}>
        <ConfirmationModal armDelayMs={0} />
      </AppStoreContext>,
    );
    const dialog = screen.getByRole('dialog', {
      name: 'Call create_entities on MCP server memory',
    });
    expect(dialog.textContent).toContain('MCP tool call');
    const lines = [...dialog.querySelectorAll('.preview li')].map((line) => line.textContent);
    expect(lines[3]).toBe('  {');
    // A right-to-left override would show "invoiceexe.pdf": the control is shown instead.
    expect(lines[4]).toBe('    "name": "invoice⟦U+202E⟧fdp.exe"');
    expect(lines[6]).toBe('the server says (not trusted): {"readOnlyHint":true}');
  });

  it('labels operations and leaves ordinary text alone', () => {
    expect(operationLabel('mcp_call')).toBe('MCP tool call');
    expect(operationLabel('execute_shell')).toBe('execute shell');
    expect(visibleText('rm -rf "~/a b"\twith tab')).toBe('rm -rf "~/a b"\twith tab');
    expect(visibleText('ünïcödé 漢字 🙂')).toBe('ünïcödé 漢字 🙂');
    expect(visibleText('a\u200Bb\u2066c\uFEFFd\u0007e\r')).toBe(
      'a⟦U+200B⟧b⟦U+2066⟧c⟦U+FEFF⟧d⟦U+0007⟧e⟦U+000D⟧',
    );
    // Unicode tag characters: an invisible copy of ASCII.
    expect(visibleText('x\u{E0041}')).toBe('x⟦U+E0041⟧');
  });
});
