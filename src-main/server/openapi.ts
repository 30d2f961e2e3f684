// The headless server's REST API as an OpenAPI 3.1 document, generated from the contract so
// it can never disagree with what the server accepts: every channel is POST /api/<channel>
// with its request and response schemas, and the WebSocket event stream is described with
// each event's schema under `x-events`. Served at /api/openapi.json.
import { z } from 'zod';
import { channelNames, contract, eventNames, events } from '../../src-preload/contract.js';

export const BEARER_SCHEME = 'bearerAuth';
export const EVENTS_PATH = '/api/events';

type JsonSchema = Record<string, unknown>;

function schemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  // `target` 2020-12 is the dialect OpenAPI 3.1 uses; the $schema key is left to the document.
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    io,
    target: 'draft-2020-12',
    unrepresentable: 'any',
  }) as JsonSchema;
  return rest;
}

const json = (schema: JsonSchema) => ({ 'application/json': { schema } });

const ERROR_BODY: JsonSchema = {
  type: 'object',
  properties: { error: { type: 'string' } },
  required: ['error'],
};

const ERROR_RESPONSES = {
  '400': { description: 'The request breaks the contract', content: json(ERROR_BODY) },
  '401': { description: 'Missing or wrong bearer token', content: json(ERROR_BODY) },
  '500': { description: 'The call failed; the message says why', content: json(ERROR_BODY) },
};

export function openApiDocument(version: string): Record<string, unknown> {
  const security = [{ [BEARER_SCHEME]: [] }];
  const paths: Record<string, unknown> = {};
  for (const channel of channelNames) {
    const { request, response } = contract[channel];
    paths[`/api/${channel}`] = {
      post: {
        operationId: channel.replaceAll('.', '_'),
        tags: [channel.split('.')[0]],
        security,
        requestBody: { required: true, content: json(schemaOf(request, 'input')) },
        responses: {
          '200': { description: 'The call succeeded', content: json(schemaOf(response, 'output')) },
          ...ERROR_RESPONSES,
        },
      },
    };
  }
  paths[EVENTS_PATH] = {
    get: {
      operationId: 'events',
      summary: 'The event stream (WebSocket upgrade)',
      description:
        'Upgrades to a WebSocket. Each message is one JSON object {"event": name, "payload": ...}; the payload of each event is described under x-events.',
      security,
      responses: {
        '101': { description: 'Switching to the WebSocket protocol' },
        '401': ERROR_RESPONSES['401'],
      },
    },
  };

  const eventSchemas: Record<string, JsonSchema> = {};
  for (const event of eventNames) eventSchemas[event] = schemaOf(events[event], 'output');

  return {
    openapi: '3.1.0',
    info: {
      title: 'OmniPalm headless API',
      version,
      description: [
        'The same contract the desktop app uses, over loopback HTTP.',
        'Every call is POST /api/<channel> with a JSON body; every request needs',
        '`Authorization: Bearer <token>` (the token the headless server printed at start).',
        `Events (task progress, confirmations, the live timeline, terminals) arrive over the`,
        `WebSocket at ${EVENTS_PATH}; x-events holds each event's payload schema.`,
      ].join(' '),
    },
    servers: [{ url: 'http://127.0.0.1', description: 'loopback only' }],
    security,
    paths,
    components: {
      securitySchemes: {
        [BEARER_SCHEME]: { type: 'http', scheme: 'bearer' },
      },
    },
    'x-events': eventSchemas,
  };
}
