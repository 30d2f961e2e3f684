// The terminal front door: the guide's question, answers parsed strictly (anything unclear is
// a no), List shows everything and asks again, and closing the question answers nothing.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type {
  ConfirmationAnswer,
  ConfirmationRequest,
} from '../../../src-main/agent/confirmationBroker.js';
import {
  answerPrompt,
  CliFrontDoor,
  formatConfirmation,
  parseAnswer,
} from '../../../src-main/cli/cliFrontDoor.js';

function request(overrides: Partial<ConfirmationRequest> = {}): ConfirmationRequest {
  return {
    id: 'r1',
    taskId: 't1',
    operation: 'delete',
    summary: 'This will delete 47 files. Proceed?',
    preview: ['/var/log/app/*.log (23 files)', '~/projects/logs/*.log (24 files)'],
    fullPreview: ['/var/log/app/a.log', '~/projects/logs/b.log'],
    risk: 'high',
    reason: 'delete requires confirmation (security.confirm_operations)',
    fingerprint: 'f',
    expiresAt: 1_000_000 + 120_000,
    ...overrides,
  };
}

describe('CLI confirmation', () => {
  it('prints the guide layout', () => {
    expect(formatConfirmation(request(), 1_000_000)).toBe(
      [
        '⚠️  This will delete 47 files. Proceed?',
        '    - /var/log/app/*.log (23 files)',
        '    - ~/projects/logs/*.log (24 files)',
        '    Why: delete requires confirmation (security.confirm_operations) (risk: high)',
        '    (answer within 120 s, or it counts as No; A allows it for the rest of this task)',
        '    ',
      ].join('\n'),
    );
    expect(answerPrompt(request())).toBe('[Y]es / [N]o / [L]ist files: ');
    expect(answerPrompt(request({ operation: 'send_email' }))).toBe(
      '[Y]es / [N]o / [L]ist details: ',
    );
  });

  it('reads only clear answers as yes; anything else is no', () => {
    expect(['y', 'Y', ' yes ', 'YES'].map(parseAnswer)).toEqual(['yes', 'yes', 'yes', 'yes']);
    expect(['l', 'List'].map(parseAnswer)).toEqual(['list', 'list']);
    expect(['a', 'always'].map(parseAnswer)).toEqual(['allow_for_task', 'allow_for_task']);
    expect(['', 'n', 'no', 'yep', 'y y', 'ja', '\u0079\u0301'].map(parseAnswer)).toEqual(
      Array(7).fill('no'),
    );
  });

  it('lists everything on L, then takes the answer', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let printed = '';
    output.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    const door = new CliFrontDoor({ input, output });
    const answered = new Promise<ConfirmationAnswer>((resolve) =>
      door.show(request(), resolve, new AbortController().signal),
    );
    expect(door.canShow()).toBe(false);
    input.write('l\n');
    input.write('y\n');
    await expect(answered).resolves.toBe('yes');
    expect(printed).toContain('      /var/log/app/a.log\n      ~/projects/logs/b.log\n');
    expect(printed.match(/\[L\]ist files: /g)).toHaveLength(2);
    expect(door.canShow()).toBe(true);
    door.close();
  });

  it('says so and answers nothing when the question is closed (deadline, another door)', () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let printed = '';
    output.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    const door = new CliFrontDoor({ input, output });
    const answers: ConfirmationAnswer[] = [];
    const closed = new AbortController();
    door.show(request(), (answer) => answers.push(answer), closed.signal);
    closed.abort();
    input.write('y\n');
    expect(answers).toEqual([]);
    expect(printed).toContain('(no answer: not done)');
    expect(door.canShow()).toBe(true);
    door.close();
  });
});
