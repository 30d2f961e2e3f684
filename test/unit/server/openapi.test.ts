// The OpenAPI document is generated from the contract: every channel, every event, and the
// bearer token required everywhere.
import { describe, expect, it } from 'vitest';
import { channelNames, eventNames } from '../../../src-preload/contract.js';
import { ERROR_KINDS } from '../../../src-main/server/apiErrors.js';
import { BEARER_SCHEME, openApiDocument } from '../../../src-main/server/openapi.js';

type ErrorResponse = {
  description: string;
  content: {
    'application/json': {
      schema: { required: string[]; properties: { kind: { enum: string[] } } };
    };
  };
};
type Operation = {
  security: Record<string, string[]>[];
  responses: Record<string, ErrorResponse>;
  requestBody?: { content: { 'application/json': { schema: Record<string, unknown> } } };
};

describe('openApiDocument', () => {
  const document = JSON.parse(JSON.stringify(openApiDocument('1.2.3'))) as {
    openapi: string;
    info: { version: string };
    paths: Record<string, Record<string, Operation>>;
    components: { securitySchemes: Record<string, unknown> };
    'x-events': Record<string, unknown>;
  };

  it('is OpenAPI 3.1 with one POST path per channel', () => {
    expect(document.openapi).toBe('3.1.0');
    expect(document.info.version).toBe('1.2.3');
    for (const channel of channelNames) {
      expect(document.paths[`/api/${channel}`]?.['post'], channel).toBeDefined();
    }
    expect(document.paths['/api/events']?.['get']).toBeDefined();
  });

  it('requires the bearer token on every path', () => {
    expect(document.components.securitySchemes[BEARER_SCHEME]).toEqual({
      type: 'http',
      scheme: 'bearer',
    });
    for (const [route, operations] of Object.entries(document.paths)) {
      for (const operation of Object.values(operations)) {
        expect(operation.security, route).toEqual([{ [BEARER_SCHEME]: [] }]);
      }
    }
  });

  it('describes strict request bodies and every event', () => {
    const start =
      document.paths['/api/task.start']!['post']!.requestBody!.content['application/json'].schema;
    expect(start).toMatchObject({
      type: 'object',
      required: ['prompt'],
      additionalProperties: false,
      properties: { prompt: { type: 'string', maxLength: 10_000 } },
    });
    expect(Object.keys(document['x-events']).sort()).toEqual([...eventNames].sort());
  });

  it('lists every error status of every channel with its body {error, kind}, from the one table', () => {
    const listed = new Set<string>();
    for (const [route, operations] of Object.entries(document.paths)) {
      for (const operation of Object.values(operations)) {
        for (const [status, response] of Object.entries(operation.responses)) {
          if (Number(status) < 400) continue;
          const schema = response.content['application/json'].schema;
          expect(schema.required, route).toEqual(['error', 'kind']);
          for (const kind of schema.properties.kind.enum) {
            expect(ERROR_KINDS[kind as keyof typeof ERROR_KINDS].status, `${route} ${kind}`).toBe(
              Number(status),
            );
            expect(response.description).toContain(kind);
            listed.add(kind);
          }
        }
      }
    }
    for (const channel of channelNames) {
      const statuses = Object.keys(document.paths[`/api/${channel}`]!['post']!.responses);
      expect(statuses, channel).toEqual(
        expect.arrayContaining(['400', '401', '429', '500', '503']),
      );
    }
    const start = document.paths['/api/task.start']!['post']!.responses;
    expect(Object.keys(start)).toEqual([
      '200',
      '400',
      '401',
      '403',
      '405',
      '409',
      '413',
      '415',
      '421',
      '422',
      '429',
      '500',
      '503',
    ]);
    expect(start['503']!.content['application/json'].schema.properties.kind.enum).toEqual(
      expect.arrayContaining(['missing_model_key', 'model_unreachable', 'invalid_config']),
    );
    // Every kind of the table is documented somewhere (no_such_route: a path that is not one).
    expect([...listed, 'no_such_route'].sort()).toEqual(Object.keys(ERROR_KINDS).sort());
  });
});
