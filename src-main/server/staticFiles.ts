// Serves the built renderer (out/renderer) to the browser. Only regular files that really
// live under the folder are served: `..`, encoded separators and symlinks pointing outside
// are refused, so the page's URL space can never reach ~/.omnipalm/api-token or any other file.
import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

const MISSING_BUILD_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>OmniPalm</title></head>
<body><h1>OmniPalm headless server</h1>
<p>The renderer has not been built yet. Run <code>npm run build</code>, then start the server again.</p>
<p>The API is available at <code>POST /api/&lt;channel&gt;</code>.</p></body></html>
`;

/** Headers every page and asset carries: no framing, no referrer, a strict CSP. */
export function pageSecurityHeaders(host: string): Record<string, string> {
  return {
    'Content-Security-Policy': [
      "default-src 'self'",
      `connect-src 'self' ws://${host}`,
      "img-src 'self' data:",
      "style-src 'self' 'unsafe-inline'",
      "object-src 'none'",
      "frame-ancestors 'none'",
      "base-uri 'none'",
    ].join('; '),
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'X-Content-Type-Options': 'nosniff',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Cache-Control': 'no-cache',
  };
}

export function serveStatic(
  request: IncomingMessage,
  response: ServerResponse,
  staticDir: string | undefined,
): void {
  const headers = pageSecurityHeaders(request.headers.host ?? '');
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    sendText(response, 405, 'method not allowed', { ...headers, Allow: 'GET, HEAD' });
    return;
  }
  const root = staticDir === undefined ? undefined : realpathOrUndefined(staticDir);
  const pathname = (request.url ?? '/').split('?')[0] ?? '/';
  if (root === undefined) {
    if (pathname === '/' || pathname === '/index.html') {
      sendBody(response, request, 200, MISSING_BUILD_PAGE, 'text/html; charset=utf-8', headers);
    } else {
      sendText(response, 404, 'not found (the renderer is not built: run npm run build)', headers);
    }
    return;
  }
  const file = resolveUnder(root, pathname === '/' ? '/index.html' : pathname);
  if (file === undefined) {
    sendText(response, 404, 'not found', headers);
    return;
  }
  const contentType = CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
  const stream = fs.createReadStream(file);
  stream.once('open', () => {
    response.writeHead(200, { ...headers, 'Content-Type': contentType });
    if (request.method === 'HEAD') {
      stream.destroy();
      response.end();
    } else {
      stream.pipe(response);
    }
  });
  stream.once('error', () => {
    if (!response.headersSent) sendText(response, 404, 'not found', headers);
    else response.destroy();
  });
}

/** The real path of `pathname` when it is a regular file inside root, else undefined. */
function resolveUnder(root: string, pathname: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  // NUL and backslashes have no business in a renderer asset path; refusing them up front
  // keeps Windows-style traversal (`..\\`) and C-string truncation out of the question.
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const candidate = path.resolve(root, `.${path.posix.normalize(`/${decoded}`)}`);
  const real = realpathOrUndefined(candidate);
  // Checked after realpath, so a symlink inside the folder pointing outside it is refused.
  if (real === undefined || !(real === root || real.startsWith(`${root}${path.sep}`))) {
    return undefined;
  }
  try {
    return fs.statSync(real).isFile() ? real : undefined;
  } catch {
    return undefined;
  }
}

function realpathOrUndefined(file: string): string | undefined {
  try {
    return fs.realpathSync(file);
  } catch {
    return undefined;
  }
}

function sendText(
  response: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string>,
): void {
  response.writeHead(status, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' });
  response.end(`${text}\n`);
}

function sendBody(
  response: ServerResponse,
  request: IncomingMessage,
  status: number,
  body: string,
  contentType: string,
  headers: Record<string, string>,
): void {
  response.writeHead(status, { ...headers, 'Content-Type': contentType });
  response.end(request.method === 'HEAD' ? undefined : body);
}
