import net, { type AddressInfo } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { ToolRegistry } from '../../../../src-main/agent/toolRegistry.js';
import { PolicyDeniedError } from '../../../../src-main/tools/fs/index.js';
import {
  httpRequest,
  httpTools,
  MAX_RESPONSE_BYTES,
  type HttpRequestInput,
  type HttpToolContext,
} from '../../../../src-main/tools/http/index.js';
import { json, startFakeServer, type FakeServer } from './fakeServer.js';
import { makeHttpContext, networkConfig } from './fixture.js';

let site: FakeServer;
let elsewhere: FakeServer;
beforeAll(async () => {
  site = await startFakeServer();
  elsewhere = await startFakeServer();
});

const parse = (input: unknown) => httpRequest.inputSchema.parse(input);
const problemOf = (input: unknown) =>
  httpRequest.inputSchema.safeParse(input).error?.issues.map((issue) => issue.message) ?? [];

async function run(input: Partial<HttpRequestInput> & { url: string }, context?: HttpToolContext) {
  const used = context ?? (await makeHttpContext(networkConfig([site.host])));
  return httpRequest.execute(httpRequest.plan(parse(input), used), used);
}

describe('http.request', () => {
  it('GETs an allowed URL and returns status, useful headers and the body', async () => {
    site.handle((_request, response) => {
      response.writeHead(200, {
        'Content-Type': 'text/plain; charset=utf-8',
        'Content-Length': '19',
        'X-Other': 'x',
      });
      response.end('hello from the site');
    });
    const context = await makeHttpContext(networkConfig([site.host]));
    const plan = httpRequest.plan(parse({ url: `${site.origin}/greeting?x=1` }), context);
    expect(plan.decision.decision).toBe('allow');
    expect(plan.summary).toBe(`GET ${site.origin}/greeting?x=1`);
    expect(plan.preview).toEqual([`GET ${site.origin}/greeting?x=1`]);

    const result = await httpRequest.execute(plan, context);

    expect(result).toEqual({
      url: `${site.origin}/greeting?x=1`,
      status: 200,
      statusText: 'OK',
      headers: { 'content-type': 'text/plain; charset=utf-8', 'content-length': '19' },
      body: 'hello from the site',
      truncated: false,
    });
    const request = site.requests.at(-1)!;
    expect(request.method).toBe('GET');
    expect(request.url).toBe('/greeting?x=1');
    expect(request.headers.authorization).toBeUndefined();
    expect(httpRequest.untrustedResult).toBe(true);
  });

  it('sends a POST with its headers and body, all of them in the preview', async () => {
    site.handle((_request, response) => json(response, 201, { id: 7 }));
    const context = await makeHttpContext(networkConfig([site.host]));
    const input = parse({
      method: 'POST',
      url: `${site.origin}/items`,
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: '{"name":"first"}',
    });
    const plan = httpRequest.plan(input, context);
    expect(plan.preview).toEqual([
      `POST ${site.origin}/items`,
      'Accept: application/json',
      'Content-Type: application/json',
      '',
      '{"name":"first"}',
    ]);

    const result = await httpRequest.execute(plan, context);

    expect(result.status).toBe(201);
    expect(JSON.parse(result.body)).toEqual({ id: 7 });
    const request = site.requests.at(-1)!;
    expect(request.method).toBe('POST');
    expect(request.body).toBe('{"name":"first"}');
    expect(request.headers['content-type']).toBe('application/json');
  });

  it('previews the start of a long body and lists all of it behind the list button', async () => {
    const context = await makeHttpContext(networkConfig([site.host]));
    const body = Array.from({ length: 25 }, (_, index) => `line ${index + 1}`).join('\n');
    const plan = httpRequest.plan(parse({ method: 'PUT', url: site.origin, body }), context);
    expect(plan.preview.slice(-2)).toEqual(['line 20', '… 5 more lines']);
    expect(plan.fullList!.slice(2)).toEqual(body.split('\n'));
  });

  it('denies a host that is not allowed, naming integrations.network.allowed_hosts', async () => {
    const context = await makeHttpContext(networkConfig([site.host]));
    const before = elsewhere.requests.length;
    const plan = httpRequest.plan(parse({ url: `${elsewhere.origin}/` }), context);
    expect(plan.decision.decision).toBe('deny');
    expect(plan.decision.rule).toBe('integrations.network.allowed_hosts');
    expect(plan.decision.reason).toContain(
      `${elsewhere.host} is not a configured integration; add it to integrations.network.allowed_hosts`,
    );
    await expect(httpRequest.execute(plan, context)).rejects.toThrow(PolicyDeniedError);
    expect(elsewhere.requests.length).toBe(before);
  });

  it('denies everything when the network integration is off', async () => {
    const config = networkConfig([site.host]);
    config.integrations.network.enabled = false;
    const context = await makeHttpContext(config);
    const plan = httpRequest.plan(parse({ url: site.origin }), context);
    expect(plan.decision.decision).toBe('deny');
    expect(plan.decision.reason).toContain('omnipalm config set integrations.network.enabled true');
  });

  it('denies POST in read-only mode but still allows GET', async () => {
    const context = await makeHttpContext(
      networkConfig([site.host], { security: { read_only: true } }),
    );
    const post = httpRequest.plan(parse({ method: 'POST', url: site.origin, body: 'x' }), context);
    expect(post.decision.decision).toBe('deny');
    expect(post.decision.rule).toBe('security.read_only');
    expect(httpRequest.plan(parse({ url: site.origin }), context).decision.decision).toBe('allow');
  });

  it('follows a redirect to an allowed host and refuses one to a host that is not', async () => {
    site.handle((request, response) => {
      if (request.url === '/to-allowed') {
        response.writeHead(302, { Location: '/final' }).end();
      } else if (request.url === '/to-elsewhere') {
        response.writeHead(302, { Location: `${elsewhere.origin}/stolen` }).end();
      } else {
        response.end(`arrived at ${request.url}`);
      }
    });
    const followed = await run({ url: `${site.origin}/to-allowed` });
    expect(followed.url).toBe(`${site.origin}/final`);
    expect(followed.body).toBe('arrived at /final');

    const before = elsewhere.requests.length;
    const refused = run({ url: `${site.origin}/to-elsewhere` });
    await expect(refused).rejects.toThrow(PolicyDeniedError);
    await expect(refused).rejects.toThrow(
      `the server redirected to ${elsewhere.origin}/stolen, which is refused: ${elsewhere.host} is not a configured integration; add it to integrations.network.allowed_hosts`,
    );
    expect(elsewhere.requests.length).toBe(before);
  });

  it('follows a redirect to another allowed host, but not when that host would need asking', async () => {
    elsewhere.handle((_request, response) => response.end('other site'));
    site.handle((_request, response) => {
      response.writeHead(307, { Location: `${elsewhere.origin}/page` }).end();
    });
    const both = networkConfig([site.host, elsewhere.host]);
    expect((await run({ url: site.origin }, await makeHttpContext(both))).body).toBe('other site');

    const asking = await makeHttpContext(
      networkConfig([site.host, elsewhere.host], {
        security: { confirm_operations: ['http_request'] },
      }),
    );
    await expect(run({ url: site.origin }, asking)).rejects.toThrow(
      /redirected to .*\/page, another site than the one approved/,
    );
  });

  it('turns a POST into a GET without body after 303, keeps it after 307', async () => {
    site.handle((request, response) => {
      if (request.url === '/submit') response.writeHead(303, { Location: '/done' }).end();
      else if (request.url === '/again') response.writeHead(307, { Location: '/kept' }).end();
      else response.end(`${request.method} ${request.url} [${request.body}]`);
    });
    const input = {
      method: 'POST' as const,
      headers: { 'Content-Type': 'text/plain' },
      body: 'payload',
    };
    const seeOther = await run({ ...input, url: `${site.origin}/submit` });
    expect(seeOther.body).toBe('GET /done []');
    expect(site.requests.at(-1)!.headers['content-type']).toBeUndefined();
    const temporary = await run({ ...input, url: `${site.origin}/again` });
    expect(temporary.body).toBe('POST /kept [payload]');
  });

  it('stops after 5 redirects', async () => {
    site.handle((request, response) => {
      const step = Number(request.url.slice(1));
      response.writeHead(302, { Location: `/${step + 1}` }).end();
    });
    await expect(run({ url: `${site.origin}/0` })).rejects.toThrow(
      `more than 5 redirects (the last one to ${site.origin}/6); stopped there`,
    );
    expect(site.requests.at(-1)!.url).toBe('/5');
  });

  it('reads at most 1 MB of the answer and says it was truncated', async () => {
    site.handle((_request, response) => {
      response.writeHead(200, { 'Content-Type': 'text/plain' });
      response.end('a'.repeat(MAX_RESPONSE_BYTES + 4096));
    });
    const result = await run({ url: site.origin });
    expect(result.truncated).toBe(true);
    expect(result.body.length).toBe(MAX_RESPONSE_BYTES);
  });

  it('describes binary content instead of returning its bytes', async () => {
    site.handle((_request, response) => {
      response.writeHead(200, { 'Content-Type': 'image/png' });
      response.end(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3]));
    });
    const result = await run({ url: site.origin });
    expect(result.body).toBe('[binary content (image/png), 8 bytes, not shown]');
    expect(result.truncated).toBe(false);
  });

  it('stops at the timeout, and when the task is aborted', async () => {
    site.handle(() => {
      // Never answers.
    });
    const context = await makeHttpContext(networkConfig([site.host]));
    await expect(
      run({ url: `${site.origin}/slow` }, { ...context, timeoutMs: 200 }),
    ).rejects.toThrow(
      `http.request: GET ${site.origin}/slow took longer than 0.2 s and was stopped`,
    );

    const controller = new AbortController();
    const arrived = site.nextRequest();
    const pending = run({ url: `${site.origin}/slow` }, { ...context, signal: controller.signal });
    await arrived;
    const reason = new Error('the user stopped the task');
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
  });

  it('refuses credential and connection headers, and line breaks anywhere', () => {
    for (const name of ['Authorization', 'proxy-authorization', 'Cookie', 'Host', 'X-Api-Key']) {
      expect(problemOf({ url: site.origin, headers: { [name]: 'value' } })).toHaveLength(1);
    }
    expect(problemOf({ url: site.origin, headers: { Authorization: 'Bearer x' } })).toEqual([
      'the header Authorization carries credentials, which http.request never sends; use the jira or slack tools for those services',
    ]);
    expect(problemOf({ url: site.origin, headers: { Accept: 'a\r\nCookie: x' } })).toEqual([
      'the header "Accept" contains a line break',
    ]);
    expect(problemOf({ url: 'ftp://example.com/' })).toEqual([
      'only http and https URLs are allowed, got ftp:',
    ]);
    expect(problemOf({ url: 'http://user:pw@example.com/' })[0]).toContain('carries credentials');
    expect(problemOf({ url: site.origin, body: 'x' })).toEqual([
      'GET and HEAD requests have no body; use POST, PUT or PATCH to send one',
    ]);
  });

  it('denies credential headers at plan time too, when the schema was skipped', async () => {
    const context = await makeHttpContext(networkConfig([site.host]));
    const plan = httpRequest.plan(
      { method: 'GET', url: site.origin, headers: { cookie: 'session=1' } },
      context,
    );
    expect(plan.decision.decision).toBe('deny');
    expect(plan.decision.reason).toContain('the header cookie carries credentials');
    await expect(httpRequest.execute(plan, context)).rejects.toThrow(PolicyDeniedError);
  });

  it('refuses a request that changed after the preview', async () => {
    const context = await makeHttpContext(networkConfig([site.host]));
    const before = site.requests.length;
    const plan = httpRequest.plan(parse({ method: 'POST', url: site.origin, body: 'a' }), context);
    const edited = { ...plan, input: { ...plan.input, body: 'b' } };
    await expect(httpRequest.execute(edited, context)).rejects.toThrow(
      'http.request: the request changed after it was previewed; nothing was sent',
    );
    expect(site.requests.length).toBe(before);
  });

  it('charges the api_calls rate limit when it runs, not when it previews', async () => {
    site.handle((_request, response) => response.end('ok'));
    const context = await makeHttpContext(
      networkConfig([site.host], { security: { rate_limits: { api_calls_per_minute: 2 } } }),
    );
    const plan = () => httpRequest.plan(parse({ url: site.origin }), context);
    for (let index = 0; index < 5; index++) expect(plan().decision.decision).toBe('allow');
    await httpRequest.execute(plan(), context);
    await httpRequest.execute(plan(), context);
    await expect(httpRequest.execute(plan(), context)).rejects.toThrow(/api_calls_per_minute/);
  });

  it('reports a host that does not answer', async () => {
    // A port that was just free: nothing listens there.
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    const context = await makeHttpContext(networkConfig([`127.0.0.1:${port}`]));
    await expect(run({ url: `http://127.0.0.1:${port}/` }, context)).rejects.toThrow(
      `http.request: could not reach 127.0.0.1:${port}: ECONNREFUSED`,
    );
  });
});

describe('network tool definitions', () => {
  it('convert to JSON schema for the model', () => {
    const definitions = new ToolRegistry(httpTools).definitions();
    expect(definitions.map((definition) => definition.name)).toEqual([
      'http_request',
      'jira_search',
      'jira_create_issue',
      'jira_comment',
      'slack_post_message',
      'slack_read_channel',
    ]);
    const request = definitions[0]!.input_schema as {
      properties: Record<string, { enum?: string[] }>;
      required?: string[];
    };
    expect(request.properties.method!.enum).toContain('DELETE');
    expect(request.required).toContain('url');
    for (const tool of httpTools) expect(tool.operation).toBe('http_request');
  });
});
