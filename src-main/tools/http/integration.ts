// The Jira and Slack tools share one shape: check the integration is switched on and its token
// is stored, ask the policy about the exact URL, preview the request, and send it with the token
// in an Authorization header that only the integration's own origin ever sees. The token is
// never part of a plan, a result or an error: it is added at the last moment and scrubbed from
// whatever comes back.
import type { z } from 'zod';
import type { SecretName } from '../../config/schema.js';
import type { PolicyDecision } from '../../policy/types.js';
import { PolicyDeniedError } from '../fs/shared.js';
import {
  decideRequest,
  denial,
  fingerprintOf,
  HttpToolError,
  scrub,
  textPreview,
  visible,
  type HttpMethod,
  type HttpPlan,
  type HttpTool,
  type HttpToolContext,
} from './shared.js';
import { exchange, type HttpAnswer } from './transport.js';

export type IntegrationName = 'jira' | 'slack';

/** One request to the integration's API, without credentials. */
export interface IntegrationCall {
  method: HttpMethod;
  /** Path and query below base_url, e.g. "/rest/api/2/issue". */
  path: string;
  /** Sent as JSON. */
  json?: unknown;
}

const TOKEN: Record<IntegrationName, SecretName> = { jira: 'jira_token', slack: 'slack_token' };
const TITLE: Record<IntegrationName, string> = { jira: 'Jira', slack: 'Slack' };
const ENV: Record<IntegrationName, string> = {
  jira: 'OMNIPALM_JIRA_TOKEN',
  slack: 'OMNIPALM_SLACK_TOKEN',
};

export function baseUrlOf(
  context: HttpToolContext,
  integration: IntegrationName,
): string | undefined {
  return context.integrations[integration].base_url?.replace(/\/+$/, '');
}

function missingToken(integration: IntegrationName): string {
  return `no ${TITLE[integration]} token is stored; add it with: omnipalm keys set ${TOKEN[integration]} (or set ${ENV[integration]})`;
}

/** The integration's own rules: switched on, a site to talk to, a token to talk with. */
function settingsDecision(
  context: HttpToolContext,
  integration: IntegrationName,
): PolicyDecision | null {
  const settings = context.integrations[integration];
  const title = TITLE[integration];
  if (!settings.enabled) {
    const site =
      integration === 'jira'
        ? 'set your site with: omnipalm config set integrations.jira.base_url https://your-site.atlassian.net and '
        : '';
    return denial(
      `${title} is disabled; ${site}enable it with: omnipalm config set integrations.${integration}.enabled true`,
      `integrations.${integration}.enabled`,
    );
  }
  if (!baseUrlOf(context, integration)) {
    return denial(
      `integrations.${integration}.base_url is not set; set it with: omnipalm config set integrations.${integration}.base_url https://…`,
      `integrations.${integration}.base_url`,
    );
  }
  if (!context.resolveSecret(TOKEN[integration])) {
    return denial(missingToken(integration), `secrets.${TOKEN[integration]}`);
  }
  return null;
}

export function decideIntegration(
  context: HttpToolContext,
  integration: IntegrationName,
  call: IntegrationCall,
  dryRun: boolean,
): PolicyDecision {
  const own = settingsDecision(context, integration);
  if (own) return own;
  return decideRequest(context, call.method, baseUrlOf(context, integration) + call.path, dryRun);
}

interface Credentials {
  headers: Record<string, string>;
  secrets: string[];
}

function credentialsOf(context: HttpToolContext, integration: IntegrationName): Credentials {
  const token = context.resolveSecret(TOKEN[integration]);
  if (!token) throw new HttpToolError(missingToken(integration));
  // A line break in the token would inject headers; the error must not quote the token.
  if (/[^\x20-\x7e]/.test(token)) {
    throw new HttpToolError(
      `the stored ${TOKEN[integration]} contains characters a header cannot carry; store it again with: omnipalm keys set ${TOKEN[integration]}`,
    );
  }
  const user = integration === 'jira' ? context.integrations.jira.user : undefined;
  if (user !== undefined) {
    // Jira Cloud: the account email and an API token, as HTTP Basic.
    const encoded = Buffer.from(`${user}:${token}`, 'utf8').toString('base64');
    return { headers: { Authorization: `Basic ${encoded}` }, secrets: [token, encoded] };
  }
  // Jira Server/Data Center personal access tokens, and Slack's tokens.
  return { headers: { Authorization: `Bearer ${token}` }, secrets: [token] };
}

/** What a tool's finish step may do: read the answer, or make another call to the same API. */
export interface IntegrationSession {
  base: string;
  send(call: IntegrationCall): Promise<HttpAnswer>;
}

export interface IntegrationToolSpec<Input, Result> {
  name: string;
  modelName: string;
  description: string;
  inputSchema: z.ZodType<Input>;
  integration: IntegrationName;
  untrustedResult: boolean;
  call(input: Input): IntegrationCall;
  /** One line for the confirmation prompt. */
  summary(input: Input): string;
  /** Fields shown under the request line, e.g. "Project: OPS". */
  fields(input: Input): string[];
  /** Text shown in full behind the preview (a description, a message), if any. */
  text?(input: Input): string | undefined;
  finish(answer: HttpAnswer, input: Input, session: IntegrationSession): Promise<Result>;
}

function fingerprintFor<Input>(
  spec: IntegrationToolSpec<Input, unknown>,
  input: Input,
  context: HttpToolContext,
): string {
  const call = spec.call(input);
  const base = baseUrlOf(context, spec.integration) ?? null;
  return fingerprintOf({ tool: spec.name, base, ...call, input });
}

export function integrationTool<Input, Result>(
  spec: IntegrationToolSpec<Input, Result>,
): HttpTool<Input, Result> {
  return {
    name: spec.name,
    modelName: spec.modelName,
    description: spec.description,
    inputSchema: spec.inputSchema,
    operation: 'http_request',
    untrustedResult: spec.untrustedResult,

    plan(input, context) {
      const call = spec.call(input);
      const base = baseUrlOf(context, spec.integration);
      const url =
        base === undefined
          ? `(integrations.${spec.integration}.base_url)${call.path}`
          : base + call.path;
      const requestLine = visible(`${call.method} ${url}`);
      const fields = spec.fields(input).map(visible);
      const text = spec.text?.(input);
      const shown = text === undefined ? undefined : textPreview(text);
      const plan: HttpPlan<Input> = {
        tool: spec.name,
        input,
        targets: [url],
        decision: decideIntegration(context, spec.integration, call, true),
        summary: visible(spec.summary(input)),
        preview: [requestLine, ...fields, ...(shown ? shown.preview : [])],
        fingerprint: fingerprintFor(spec, input, context),
      };
      if (shown?.cut) plan.fullList = [requestLine, ...fields, ...shown.full];
      return plan;
    },

    async execute(plan, context) {
      if (plan.decision.decision === 'deny') throw new PolicyDeniedError(plan.tool, plan.decision);
      // The confirmation covered the fingerprint (the site included): anything else was not approved.
      if (fingerprintFor(spec, plan.input, context) !== plan.fingerprint) {
        throw new Error(
          `${spec.name}: the request changed after it was previewed; nothing was sent`,
        );
      }
      context.signal?.throwIfAborted();
      const credentials = credentialsOf(context, spec.integration);
      const session: IntegrationSession = {
        base: baseUrlOf(context, spec.integration) ?? '',
        async send(call) {
          const decision = decideIntegration(context, spec.integration, call, false);
          if (decision.decision === 'deny') throw new PolicyDeniedError(spec.name, decision);
          const json = call.json === undefined ? undefined : JSON.stringify(call.json);
          return exchange(
            {
              method: call.method,
              url: session.base + call.path,
              headers: {
                Accept: 'application/json',
                ...(json === undefined
                  ? {}
                  : { 'Content-Type': 'application/json; charset=utf-8' }),
              },
              body: json,
            },
            context,
            { tool: spec.name, credentials: credentials.headers, secrets: credentials.secrets },
          );
        },
      };
      const answer = await session.send(spec.call(plan.input));
      try {
        return await spec.finish(answer, plan.input, session);
      } catch (error) {
        if (error instanceof Error && !(error instanceof PolicyDeniedError)) {
          error.message = scrub(error.message, credentials.secrets);
        }
        throw error;
      }
    },
  };
}

/** The answer's JSON, or an error saying the service answered with something else. */
export function jsonOf(answer: HttpAnswer, what: string): unknown {
  if (answer.truncated) {
    throw new HttpToolError(
      `${what}: the answer was larger than 1 MB and was cut off; ask for fewer results`,
    );
  }
  try {
    return JSON.parse(answer.body) as unknown;
  } catch {
    throw new HttpToolError(
      `${what}: expected JSON from ${answer.url}, got ${answer.headers['content-type'] ?? 'no content type'} (HTTP ${answer.status}); check the integration's base_url`,
    );
  }
}
