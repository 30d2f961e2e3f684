// The browser tools (integrations.browser, off by default) and the per-task session they drive.
export {
  ACTION_TIMEOUT_MS,
  BrowserLaunchError,
  BrowserSession,
  MAX_BLOCKED_REPORTED,
  NAVIGATION_TIMEOUT_MS,
  resolveExecutable,
  SYSTEM_CHROMIUM_PATHS,
  type BlockedRequest,
  type BrowserSessionOptions,
} from './browserSession.js';
export { BrowserPageChangedError, type BrowserTool, type BrowserToolContext } from './shared.js';
export {
  browserClick,
  browserFill,
  browserNavigate,
  browserReadText,
  browserScreenshot,
  browserTools,
  MAX_PAGE_TEXT_CHARS,
  type ClickInput,
  type FillInput,
  type NavigateInput,
  type NavigateResult,
  type ReadTextInput,
  type ReadTextResult,
  type ScreenshotInput,
  type ScreenshotResult,
} from './tools.js';
