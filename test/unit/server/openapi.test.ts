// The OpenAPI document is generated from the contract: every channel, every event, and the
// bearer token required everywhere.
import { describe, expect, it } from 'vitest';
import { channelNames, eventNames } from '../../../src-preload/contract.js';
import { BEARER_SCHEME, openApiDocument } from '../../../src-main/server/openapi.js';

type Operation = {
  security: Record<string, string[]>[];
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
});
