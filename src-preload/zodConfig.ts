// Imported first by each bundle that runs under a page's CSP (the renderer's main.tsx, the
// preload's index.ts), before any schema is built. zod 4 compiles a fast parser for each
// object schema with `new Function`, and decides whether it may when the schema is built, by
// probing `new Function('')` once. The window's CSP has no 'unsafe-eval' (an injected string
// must never become code), so the probe is refused, and Chromium reports each refusal in the
// console even though zod swallows the error: noise that hides a real refusal. jitless makes
// zod skip the probe and the compiler; the interpreted parser is fast enough for IPC payloads.
// Main does not import this: Node has no CSP, and the compiled parser stays on there.
import { z } from 'zod';

z.config({ jitless: true });
