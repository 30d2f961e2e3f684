// The headless server's REST API as an OpenAPI 3.1 document, generated from the contract so
// it can never disagree with what the server accepts: every channel is POST /api/<channel>
// with its request and response schemas, and the WebSocket event stream is described with
// each event's schema under `x-events`, and every error status of each path, from the one
// table in apiErrors.ts. Served at /api/openapi.json.
import { z } from 'zod';
import { channelNames, contract, eventNames, events } from '../../src-preload/contract.js';
import {
  CHANNEL_ERROR_KINDS,
  ERROR_KINDS,
  TRANSPORT_ERROR_KINDS,
  type ApiErrorKind,
} from './apiErrors.js';

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

/** Every error answer's body; `kind` is one of ERROR_KINDS (apiErrors.ts). */
const errorBody = (kinds: readonly ApiErrorKind[]): JsonSchema => ({
  type: 'object',
  properties: {
    error: { type: 'string', description: 'What went wrong and how to fix it, for the user' },
    kind: { type: 'string', enum: [...kinds] },
  },
  required: ['error', 'kind'],
});

/** One response per status, listing the kinds answered with it: all from apiErrors.ts. */
function errorResponses(kinds: readonly ApiErrorKind[]): Record<string, unknown> {
  const byStatus = new Map<number, ApiErrorKind[]>();
  for (const kind of kinds) {
    const status = ERROR_KINDS[kind].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), kind]);
  }
  const responses: Record<string, unknown> = {};
  for (const status of [...byStatus.keys()].sort((a, b) => a - b)) {
    const these = byStatus.get(status) ?? [];
    responses[String(status)] = {
      description: these.map((kind) => `${kind}: ${ERROR_KINDS[kind].meaning}`).join('; '),
      content: json(errorBody(these)),
    };
  }
  return responses;
}

const EVENT_STREAM_ERROR_KINDS: readonly ApiErrorKind[] = [
  'bad_request',
  'unauthorized',
  'forbidden_origin',
  'misdirected_host',
  'too_many_auth_failures',
  'shutting_down',
];

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
          ...errorResponses([...TRANSPORT_ERROR_KINDS, ...(CHANNEL_ERROR_KINDS[channel] ?? [])]),
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
        ...errorResponses(EVENT_STREAM_ERROR_KINDS),
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
        'Every error answers {"error": message, "kind": kind}: a 4xx or 503 is a problem with',
        'the request or your setup and the message says how to fix it; 500 is a bug.',
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
