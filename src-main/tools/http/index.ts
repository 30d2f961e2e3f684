// The network tools: a generic HTTP request (no stored credentials), Jira and Slack (each with
// its own token), in the order the model is offered them.
import type { AgentTool } from '../../agent/toolRegistry.js';
import { jiraComment, jiraCreateIssue, jiraSearch } from './jira.js';
import { httpRequest } from './request.js';
import type { HttpToolContext } from './shared.js';
import { slackPostMessage, slackReadChannel } from './slack.js';

export {
  ISSUE_KEY,
  jiraComment,
  jiraCreateIssue,
  jiraSearch,
  MAX_JIRA_RESULTS,
  type JiraCommentInput,
  type JiraCreateIssueInput,
  type JiraSearchInput,
  type JiraSearchResult,
} from './jira.js';
export {
  headerProblem,
  httpRequest,
  requestFingerprint,
  type HttpRequestInput,
} from './request.js';
export {
  DEFAULT_TIMEOUT_MS,
  HttpToolError,
  MAX_REDIRECTS,
  MAX_REQUEST_BODY_BYTES,
  MAX_RESPONSE_BYTES,
  type HttpMethod,
  type HttpPlan,
  type HttpTool,
  type HttpToolContext,
} from './shared.js';
export {
  MAX_SLACK_MESSAGES,
  slackPostMessage,
  slackReadChannel,
  type SlackPostMessageInput,
  type SlackReadChannelInput,
  type SlackReadChannelResult,
} from './slack.js';
export type { HttpAnswer } from './transport.js';

export const httpTools: readonly AgentTool<HttpToolContext>[] = [
  httpRequest,
  jiraSearch,
  jiraCreateIssue,
  jiraComment,
  slackPostMessage,
  slackReadChannel,
];
