// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { pickBridge, type BridgeHost } from '../../src-renderer/bridge';
import type { WebSocketLike } from '../../src-renderer/bridge/httpBridge';
import { STATUS } from './fakeBridge';

class FakeWebSocket implements WebSocketLike {
  static instances: FakeWebSocket[] = [];
  onopen: WebSocketLike['onopen'] = null;
  onclose: WebSocketLike['onclose'] = null;
  onmessage: WebSocketLike['onmessage'] = null;
  onerror: WebSocketLike['onerror'] = null;
  closed = false;
  constructor(
    readonly url: string,
    readonly protocols: string[],
  ) {
    FakeWebSocket.instances.push(this);
  }
  close() {
    this.closed = true;
  }
  send(event: string, payload: unknown) {
    this.onmessage?.({ data: JSON.stringify({ event, payload }) });
  }
}

function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });
}

function host(hash: string, fetchImpl: typeof fetch): BridgeHost {
  window.history.replaceState(null, '', `/app?x=1${hash}`);
  return {
    location: window.location,
    history: window.history,
    fetch: fetchImpl,
    WebSocket: FakeWebSocket,
  };
}

afterEach(() => {
  FakeWebSocket.instances = [];
  vi.useRealTimers();
});

describe('pickBridge over HTTP', () => {
  it('takes the token from the hash and removes it from the address', () => {
    const choice = pickBridge(host('#token=s3cret', vi.fn()));
    expect(choice.available && choice.transport).toBe('http');
    expect(window.location.hash).toBe('');
    expect(window.location.href).not.toContain('s3cret');
    expect(window.location.pathname + window.location.search).toBe('/app?x=1');
  });

  it('is unavailable without a token, saying how to open the app', () => {
    const choice = pickBridge(host('', vi.fn()));
    expect(choice.available).toBe(false);
    expect(!choice.available && choice.reason).toContain('omnipalm start --headless');
  });

  it('prefers the preload bridge inside Electron', () => {
    const api = {} as never;
    const choice = pickBridge({ ...host('#token=x', vi.fn()), omnipalm: api });
    expect(choice).toEqual({ available: true, transport: 'preload', api });
  });

  it('POSTs calls as JSON with the bearer token and parses the answer', async () => {
    const fetchImpl = vi.fn(async () => jsonResponse(200, { ...STATUS, extra: 'dropped' }));
    const choice = pickBridge(host('#token=s3cret', fetchImpl));
    if (!choice.available) throw new Error('expected a bridge');
    await expect(choice.api.getStatus()).resolves.toEqual(STATUS);
    expect(fetchImpl).toHaveBeenCalledWith('/api/app.getStatus', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: 'Bearer s3cret' },
      body: '{}',
    });
  });

  it("throws the server's error message", async () => {
    const fetchImpl = vi.fn(async () =>
      jsonResponse(400, { error: 'task.start: prompt: say what to do' }),
    );
    const choice = pickBridge(host('#token=s3cret', fetchImpl));
    if (!choice.available) throw new Error('expected a bridge');
    await expect(choice.api.start({ prompt: ' ' })).rejects.toThrow(
      'task.start: prompt: say what to do',
    );
  });

  it('opens one event socket with the token as a subprotocol and validates payloads', () => {
    const choice = pickBridge(host('#token=s3cret', vi.fn()));
    if (!choice.available) throw new Error('expected a bridge');
    const texts: unknown[] = [];
    const alerts: unknown[] = [];
    choice.api.onTaskText((payload) => texts.push(payload));
    choice.api.onMonitorAlert((payload) => alerts.push(payload));
    expect(FakeWebSocket.instances).toHaveLength(1);
    const socket = FakeWebSocket.instances[0]!;
    expect(socket.url).toBe(`ws://${window.location.host}/api/events`);
    expect(socket.protocols).toEqual(['omnipalm.v1', 'omnipalm.token.s3cret']);

    socket.onopen?.({});
    expect(choice.connection?.state).toBe('live');
    socket.send('task.text', { taskId: 't', text: 'hi', injected: '<img onerror>' });
    socket.send('task.text', { taskId: 't', text: 42 });
    socket.send('monitor.alert', { rule: 'not_a_rule', message: 'x' });
    socket.send('no.such.event', {});
    socket.onmessage?.({ data: 'not json' });
    expect(texts).toEqual([{ taskId: 't', text: 'hi' }]);
    expect(alerts).toEqual([]);
  });

  it('reconnects with backoff after the socket drops', async () => {
    vi.useFakeTimers();
    const choice = pickBridge(host('#token=s3cret', vi.fn()));
    if (!choice.available) throw new Error('expected a bridge');
    choice.api.onTaskText(() => undefined);
    const first = FakeWebSocket.instances[0]!;
    first.onopen?.({});
    first.onclose?.({ code: 1013 });
    expect(choice.connection?.state).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(499);
    expect(FakeWebSocket.instances).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(FakeWebSocket.instances).toHaveLength(2);
  });

  it('stops retrying when the server refuses the token (401)', async () => {
    vi.useFakeTimers();
    const fetchImpl = vi.fn(async () => jsonResponse(401, { error: 'a valid token is required' }));
    const choice = pickBridge(host('#token=wrong', fetchImpl));
    if (!choice.available) throw new Error('expected a bridge');
    choice.api.onTaskText(() => undefined);
    FakeWebSocket.instances[0]!.onclose?.({ code: 1006 });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(choice.connection?.state).toBe('unauthorized');
    expect(FakeWebSocket.instances).toHaveLength(1);
  });
});
