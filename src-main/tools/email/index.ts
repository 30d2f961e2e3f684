// The email tools.
export { recipientAllowed } from './recipients.js';
export {
  emailFingerprint,
  emailSend,
  MAX_BODY_BYTES,
  MAX_RECIPIENTS,
  PREVIEW_BODY_LINES,
  type EmailPlan,
  type EmailSendInput,
  type EmailSettings,
  type EmailTool,
  type EmailToolContext,
} from './send.js';
export { EmailSendError, type SendResult } from './transport.js';
