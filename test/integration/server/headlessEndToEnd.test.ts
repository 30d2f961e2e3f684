// `omnipalm start --headless` as a user runs it: a real child process with the scripted model
// server, driven through the REST API and the event stream exactly as the web UI does — a
// task asks to delete files, the confirmation arrives as an event, the answer goes back over
// HTTP, the files are gone, the audit log has it all, and SIGTERM takes it down in order.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { callApi, connectEvents, rawRequest } from '../../support/headlessClient.js';
import { startHeadlessProcess } from '../../support/headlessProcess.js';
import { makeRunFixture } from '../agent/runFixture.js';

describe('omnipalm start --headless', () => {
  it('runs a task with a confirmation answered through the API, then shuts down in order', async () => {
    const fixture = await makeRunFixture(
      [
        { text: 'Deleting.', toolUses: [{ name: 'fs_delete', input: { paths: ['*.log'] } }] },
        { text: 'Done.' },
      ],
      () => ({}),
    );
    const first = fixture.file('a.log', 'x');
    const second = fixture.file('b.log', 'y');
    const server = await startHeadlessProcess(fixture.home, fixture.env);
    try {
      // The page and the API: the page needs no token, every call does.
      const page = await rawRequest({ port: server.port, method: 'GET', path: '/' });
      expect(page.status).toBe(200);
      expect(page.headers['content-security-policy']).toContain("default-src 'self'");
      expect((await callApi(server.port, 'wrong', 'app.getStatus')).status).toBe(401);
      const status = await callApi(server.port, server.token, 'app.getStatus');
      expect(JSON.parse(status.body)).toMatchObject({ mode: 'headless' });

      const events = await connectEvents(server.port, { token: server.token });
      const started = await callApi(server.port, server.token, 'task.start', {
        prompt: 'Delete the log files',
        cwd: fixture.work,
      });
      expect(started.status, started.body).toBe(200);
      const { taskId } = JSON.parse(started.body) as { taskId: string };

      let request: { id: string; summary: string } | undefined;
      let ended: { status: string; taskId: string } | undefined;
      while (!ended) {
        const message = await events.next();
        if (message.event === 'confirmation.requested') {
          request = (message.payload as { request: { id: string; summary: string } }).request;
          expect(request.summary).toBe('This will delete 2 files. Proceed?');
          expect(fs.existsSync(first)).toBe(true);
          const answered = await callApi(server.port, server.token, 'confirmation.answer', {
            id: request.id,
            answer: 'yes',
          });
          expect(JSON.parse(answered.body)).toEqual({ accepted: true });
        }
        if (message.event === 'task.ended') ended = message.payload as typeof ended;
      }
      expect(request).toBeDefined();
      expect(ended).toMatchObject({ taskId, status: 'done' });
      expect(fs.existsSync(first) || fs.existsSync(second)).toBe(false);
      events.socket.close();

      const audit = fixture.auditLines().join('\n');
      expect(audit).toMatch(/\[user_command\] "Delete the log files"/);
      expect(audit).toMatch(/\[confirmation\] fs\.delete .*answer="yes" by="ui"/);
      expect(audit).toMatch(/\[tool_result\] fs\.delete status="success"/);
      expect(audit).toMatch(/\[alert\] api\.auth_failed/);
    } finally {
      server.stop();
      await fixture.close();
    }
    expect(await server.exited).toBe(0);
    expect(server.stdout()).toContain('SIGTERM: shutting down');
    expect(server.stdout().trimEnd().endsWith('stopped.')).toBe(true);
  });
});
