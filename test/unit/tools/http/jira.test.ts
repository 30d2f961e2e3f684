import { beforeAll, describe, expect, it } from 'vitest';
import { PolicyDeniedError } from '../../../../src-main/tools/fs/index.js';
import {
  jiraComment,
  jiraCreateIssue,
  jiraSearch,
  type HttpToolContext,
} from '../../../../src-main/tools/http/index.js';
import { json, startFakeServer, type FakeServer } from './fakeServer.js';
import { JIRA_TOKEN, jiraConfig, makeHttpContext, networkConfig } from './fixture.js';

let jira: FakeServer;
beforeAll(async () => {
  jira = await startFakeServer();
});

const BASIC = `Basic ${Buffer.from(`me@example.com:${JIRA_TOKEN}`).toString('base64')}`;
const cloud = () => makeHttpContext(jiraConfig(jira.origin, { user: 'me@example.com' }));

/** Nothing a user or the model sees carries the token, in any encoding. */
function expectNoToken(...values: unknown[]) {
  const text = JSON.stringify(values);
  expect(text).not.toContain(JIRA_TOKEN);
  expect(text).not.toContain(BASIC.slice('Basic '.length));
}

const issue = (key: string, summary: string, status: string, assignee: string | null) => ({
  id: '1',
  key,
  fields: { summary, status: { name: status }, assignee: assignee && { displayName: assignee } },
});

describe('jira.search', () => {
  it('searches with /rest/api/3/search/jql and basic auth for a Jira Cloud account', async () => {
    jira.handle((_request, response) =>
      json(response, 200, {
        issues: [
          issue('OPS-1', 'Disk full', 'In Progress', 'Alice'),
          issue('OPS-2', 'Rotate keys', 'To Do', null),
        ],
        isLast: false,
        nextPageToken: 'abc',
      }),
    );
    const context = await cloud();
    const input = jiraSearch.inputSchema.parse({ jql: 'project = OPS ORDER BY updated DESC' });
    const plan = jiraSearch.plan(input, context);
    expect(plan.decision.decision).toBe('allow');
    expect(plan.summary).toBe('Search Jira: project = OPS ORDER BY updated DESC');

    const result = await jiraSearch.execute(plan, context);

    expect(result).toEqual({
      issues: [
        { key: 'OPS-1', summary: 'Disk full', status: 'In Progress', assignee: 'Alice' },
        { key: 'OPS-2', summary: 'Rotate keys', status: 'To Do', assignee: null },
      ],
      more: true,
    });
    const request = jira.requests.at(-1)!;
    expect(request.method).toBe('GET');
    const url = new URL(request.url, jira.origin);
    expect(url.pathname).toBe('/rest/api/3/search/jql');
    expect(url.searchParams.get('jql')).toBe('project = OPS ORDER BY updated DESC');
    expect(url.searchParams.get('maxResults')).toBe('20');
    expect(url.searchParams.get('fields')).toBe('summary,status,assignee');
    expect(request.headers.authorization).toBe(BASIC);
    expect(jiraSearch.untrustedResult).toBe(true);
    expectNoToken(plan.summary, plan.preview, plan.fullList, result);
  });

  it('falls back to /rest/api/2/search on Jira Server, with a bearer token when no user is set', async () => {
    jira.handle((request, response) => {
      if (request.url.startsWith('/rest/api/3/')) return json(response, 404, {});
      json(response, 200, {
        startAt: 0,
        maxResults: 5,
        total: 1,
        issues: [issue('WEB-9', 'Fix login', 'Done', 'Bob')],
      });
    });
    const context = await makeHttpContext(jiraConfig(jira.origin));
    const before = jira.requests.length;
    const plan = jiraSearch.plan({ jql: 'project = WEB', maxResults: 5 }, context);

    const result = await jiraSearch.execute(plan, context);

    expect(result).toEqual({
      issues: [{ key: 'WEB-9', summary: 'Fix login', status: 'Done', assignee: 'Bob' }],
      more: false,
    });
    const [v3, v2] = jira.requests.slice(before);
    expect(new URL(v3!.url, jira.origin).pathname).toBe('/rest/api/3/search/jql');
    expect(new URL(v2!.url, jira.origin).pathname).toBe('/rest/api/2/search');
    expect(new URL(v2!.url, jira.origin).searchParams.get('maxResults')).toBe('5');
    expect(v2!.headers.authorization).toBe(`Bearer ${JIRA_TOKEN}`);
  });

  it("explains Jira's refusal without the token", async () => {
    jira.handle((request, response) =>
      json(response, 401, { errorMessages: [`bad credentials ${request.headers.authorization}`] }),
    );
    const context = await cloud();
    const failure = jiraSearch.execute(
      jiraSearch.plan({ jql: 'x', maxResults: 1 }, context),
      context,
    );
    await expect(failure).rejects.toThrow(
      /^jira\.search: Jira answered HTTP 401 \(bad credentials Basic \[redacted\]\); check the token \(omnipalm keys set jira_token\)/,
    );
    expectNoToken(await failure.catch((error: Error) => error.message));
  });
});

describe('jira.create_issue', () => {
  it('POSTs /rest/api/2/issue with the previewed fields and returns the key and its URL', async () => {
    jira.handle((_request, response) =>
      json(response, 201, { id: '10001', key: 'OPS-42', self: `${jira.origin}/x` }),
    );
    const context = await cloud();
    const input = jiraCreateIssue.inputSchema.parse({
      project: 'OPS',
      summary: 'Rotate the deploy key',
      description: 'The key is a year old.\nRotate it.',
    });
    const plan = jiraCreateIssue.plan(input, context);
    expect(plan.summary).toBe('Create a Jira Task in OPS: Rotate the deploy key');
    expect(plan.preview).toEqual([
      `POST ${jira.origin}/rest/api/2/issue`,
      'Project: OPS',
      'Type: Task',
      'Summary: Rotate the deploy key',
      'Description:',
      'The key is a year old.',
      'Rotate it.',
    ]);

    const result = await jiraCreateIssue.execute(plan, context);

    expect(result).toEqual({ key: 'OPS-42', url: `${jira.origin}/browse/OPS-42` });
    const request = jira.requests.at(-1)!;
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/rest/api/2/issue');
    expect(request.headers.authorization).toBe(BASIC);
    expect(request.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(request.body)).toEqual({
      fields: {
        project: { key: 'OPS' },
        issuetype: { name: 'Task' },
        summary: 'Rotate the deploy key',
        description: 'The key is a year old.\nRotate it.',
      },
    });
    expectNoToken(plan, result);
  });

  it('refuses a plan whose site changed after the preview', async () => {
    const context = await cloud();
    const plan = jiraCreateIssue.plan({ project: 'OPS', summary: 'x', issueType: 'Bug' }, context);
    const moved: HttpToolContext = {
      ...context,
      integrations: {
        ...context.integrations,
        jira: { ...context.integrations.jira, base_url: 'http://127.0.0.1:9/' },
      },
    };
    await expect(jiraCreateIssue.execute(plan, moved)).rejects.toThrow(
      'jira.create_issue: the request changed after it was previewed; nothing was sent',
    );
  });

  it('is denied in read-only mode', async () => {
    const context = await makeHttpContext({
      ...jiraConfig(jira.origin),
      security: { read_only: true },
    });
    const plan = jiraCreateIssue.plan({ project: 'OPS', summary: 'x', issueType: 'Task' }, context);
    expect(plan.decision.rule).toBe('security.read_only');
  });
});

describe('jira.comment', () => {
  it('POSTs the comment to the issue and returns its id', async () => {
    jira.handle((_request, response) => json(response, 201, { id: '555', body: 'x' }));
    const context = await makeHttpContext(jiraConfig(jira.origin));
    const plan = jiraComment.plan({ issueKey: 'OPS-42', body: 'Done, rotated.' }, context);
    expect(plan.summary).toBe('Comment on Jira issue OPS-42');
    expect(plan.preview).toEqual([
      `POST ${jira.origin}/rest/api/2/issue/OPS-42/comment`,
      'Issue: OPS-42',
      'Comment:',
      'Done, rotated.',
    ]);

    const result = await jiraComment.execute(plan, context);

    expect(result).toEqual({ issueKey: 'OPS-42', id: '555' });
    const request = jira.requests.at(-1)!;
    expect(request.url).toBe('/rest/api/2/issue/OPS-42/comment');
    expect(request.headers.authorization).toBe(`Bearer ${JIRA_TOKEN}`);
    expect(JSON.parse(request.body)).toEqual({ body: 'Done, rotated.' });
    expectNoToken(plan, result);
  });

  it('accepts only issue keys', () => {
    for (const issueKey of ['OPS-1', 'A1_B-22']) {
      expect(jiraComment.inputSchema.safeParse({ issueKey, body: 'x' }).success).toBe(true);
    }
    for (const issueKey of ['ops-1', 'OPS', 'OPS-1/../../admin', 'O-1']) {
      expect(jiraComment.inputSchema.safeParse({ issueKey, body: 'x' }).success).toBe(false);
    }
  });
});

describe('jira redirects', () => {
  it('never sends the token to another origin a redirect leads to', async () => {
    const mirror = await startFakeServer();
    mirror.handle((_request, response) => json(response, 200, { issues: [] }));
    jira.handle((_request, response) => {
      response.writeHead(302, { Location: `${mirror.origin}/rest/api/3/search/jql` }).end();
    });
    const context = await makeHttpContext({
      ...jiraConfig(jira.origin, { user: 'me@example.com' }),
      integrations: {
        network: { allowed_hosts: [mirror.host] },
        jira: { enabled: true, base_url: jira.origin, user: 'me@example.com' },
      },
    });
    const result = await jiraSearch.execute(
      jiraSearch.plan({ jql: 'x', maxResults: 1 }, context),
      context,
    );
    expect(result).toEqual({ issues: [], more: false });
    expect(jira.requests.at(-1)!.headers.authorization).toBe(BASIC);
    expect(mirror.requests).toHaveLength(1);
    expect(mirror.requests[0]!.headers.authorization).toBeUndefined();
  });
});

describe('jira settings', () => {
  it('denies while Jira is disabled, saying how to enable it', async () => {
    const context = await makeHttpContext(networkConfig([jira.host]));
    const plan = jiraSearch.plan({ jql: 'x', maxResults: 1 }, context);
    expect(plan.decision.decision).toBe('deny');
    expect(plan.decision.rule).toBe('integrations.jira.enabled');
    expect(plan.decision.reason).toBe(
      'Jira is disabled; set your site with: omnipalm config set integrations.jira.base_url https://your-site.atlassian.net and enable it with: omnipalm config set integrations.jira.enabled true',
    );
    await expect(jiraSearch.execute(plan, context)).rejects.toThrow(PolicyDeniedError);
  });

  it('denies without a stored token, naming omnipalm keys set jira_token', async () => {
    const context = await makeHttpContext(jiraConfig(jira.origin), {});
    const before = jira.requests.length;
    const plan = jiraComment.plan({ issueKey: 'OPS-1', body: 'x' }, context);
    expect(plan.decision.decision).toBe('deny');
    expect(plan.decision.reason).toBe(
      'no Jira token is stored; add it with: omnipalm keys set jira_token (or set OMNIPALM_JIRA_TOKEN)',
    );
    await expect(jiraComment.execute(plan, context)).rejects.toThrow(
      'jira.comment was denied: no Jira token is stored; add it with: omnipalm keys set jira_token',
    );
    expect(jira.requests.length).toBe(before);
  });
});
