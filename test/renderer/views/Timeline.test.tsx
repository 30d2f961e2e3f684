// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { Timeline, TIMELINE_ROW_HEIGHT } from '../../../src-renderer/views/Timeline';
import {
  sessionFromHash,
  timelineHashFor,
  type PageEvent,
} from '../../../src-renderer/views/timelineModel';
import { createAppStore } from '../../../src-renderer/store';
import { fakeBridge, renderWith } from './fakeBridge';

afterEach(() => {
  cleanup();
  window.history.replaceState(null, '', '/');
});

function events(count: number, firstId = count): PageEvent[] {
  return Array.from({ length: count }, (_, index) => ({
    id: firstId - index,
    time: 1_700_000_000_000 + (firstId - index) * 1000,
    kind: 'tool_call' as const,
    level: 'INFO' as const,
    summary: `event ${firstId - index}`,
    tool: 'fs_read',
  }));
}

function timelineBridge(page: (...args: never[]) => unknown) {
  return fakeBridge({
    page: vi.fn(page),
    verify: vi.fn(async () => ({ ok: true, lines: 42, files: 1, lastSeq: 42, warnings: [] })),
  });
}

function scrollTo(list: HTMLElement, top: number) {
  Object.defineProperty(list, 'scrollTop', { configurable: true, writable: true, value: top });
  fireEvent.scroll(list);
}

describe('Timeline', () => {
  it('renders 100,000 events with only the visible rows in the DOM, and scrolling moves the slice', async () => {
    const all = events(100_000);
    const fake = timelineBridge(async () => ({ events: all }));
    renderWith(fake, <Timeline />);

    await screen.findByText('event 100000');
    expect(screen.getByText(/100,000 events/)).toBeTruthy();
    const list = screen.getByRole('listbox', { name: /timeline events/i });
    const rendered = within(list).getAllByRole('option').length;
    expect(rendered).toBeGreaterThan(5);
    expect(rendered).toBeLessThan(60);
    expect((list.firstElementChild as HTMLElement).style.height).toBe(
      `${100_000 * TIMELINE_ROW_HEIGHT}px`,
    );

    scrollTo(list, 50_000 * TIMELINE_ROW_HEIGHT);
    // Newest first: row 50,000 holds event 100000 - 50000.
    expect(within(list).getByText('event 50000')).toBeTruthy();
    expect(within(list).queryByText('event 100000')).toBeNull();
    expect(within(list).getAllByRole('option').length).toBeLessThan(60);
  });

  it('queries page() with the chosen filters and the debounced search text', async () => {
    const fake = timelineBridge(async () => ({ events: events(3) }));
    renderWith(fake, <Timeline />);
    await screen.findByText('event 3');
    const page = fake.bridge.page as ReturnType<typeof vi.fn>;
    expect(page).toHaveBeenCalledWith({ limit: 200 });

    fireEvent.change(screen.getByLabelText('Kind'), { target: { value: 'alert' } });
    await waitFor(() => expect(page).toHaveBeenLastCalledWith({ kinds: ['alert'], limit: 200 }));

    fireEvent.change(screen.getByLabelText('Decision'), { target: { value: 'deny' } });
    fireEvent.change(screen.getByLabelText('Tool'), { target: { value: 'fs_delete' } });
    fireEvent.change(screen.getByLabelText('Status'), { target: { value: 'error' } });
    fireEvent.change(screen.getByLabelText('Search'), { target: { value: 'ssh' } });
    await waitFor(() =>
      expect(page).toHaveBeenLastCalledWith({
        kinds: ['alert'],
        decisions: ['deny'],
        tools: ['fs_delete'],
        statuses: ['error'],
        text: 'ssh',
        limit: 200,
      }),
    );
  });

  it('prepends live events that match the filters and unsubscribes on unmount', async () => {
    const fake = timelineBridge(async () => ({ events: events(3) }));
    const view = renderWith(fake, <Timeline />);
    await screen.findByText('event 3');

    fake.emit('timeline.event', {
      kind: 'alert',
      level: 'WARN',
      summary: 'blocked path ~/.ssh/id_rsa',
      time: Date.now(),
    });
    const options = within(screen.getByRole('listbox')).getAllByRole('option');
    expect(options[0]?.textContent).toContain('blocked path ~/.ssh/id_rsa');
    expect(options[0]?.className).toContain('kind-alert');
    expect(options[0]?.className).toContain('level-warn');

    view.unmount();
    expect(fake.listenerCount('timeline.event')).toBe(0);
    expect(fake.listenerCount('monitor.alert')).toBe(0);
  });

  it("opens on the store's head page without a query, pages on from its cursor, and returns to it when the filters are cleared", async () => {
    const fake = timelineBridge(async (request: { before?: number; kinds?: string[] }) =>
      request.kinds ? { events: [] } : { events: events(200, 800), nextCursor: 601 },
    );
    const store = createAppStore(fake.bridge);
    (fake.bridge.page as ReturnType<typeof vi.fn>).mockResolvedValueOnce({
      events: events(200, 1000),
      nextCursor: 801,
    });
    await store.getState().refreshTimelineHead();
    store.getState().timelineEventArrived({
      kind: 'alert',
      level: 'WARN',
      summary: 'live before the view opened',
      time: Date.now(),
    });
    const page = fake.bridge.page as ReturnType<typeof vi.fn>;
    page.mockClear();

    renderWith(fake, <Timeline />, store);
    // On screen in the first render: no query was needed.
    const list = screen.getByRole('listbox', { name: /timeline events/i });
    expect(within(list).getAllByRole('option')[0]?.textContent).toContain(
      'live before the view opened',
    );
    expect(screen.getByText(/201 events/)).toBeTruthy();
    expect(page).not.toHaveBeenCalled();

    scrollTo(list, 190 * TIMELINE_ROW_HEIGHT);
    await waitFor(() => expect(page).toHaveBeenLastCalledWith({ limit: 200, before: 801 }));
    await screen.findByText(/401 events/);

    fireEvent.change(screen.getByLabelText('Kind'), { target: { value: 'alert' } });
    await waitFor(() => expect(page).toHaveBeenLastCalledWith({ kinds: ['alert'], limit: 200 }));
    await screen.findByText(/^0 events/);
    page.mockClear();
    fireEvent.change(screen.getByLabelText('Kind'), { target: { value: '' } });
    await screen.findByText(/201 events/);
    expect(page).not.toHaveBeenCalled();
  });

  it('loads the older page with before when scrolled near the end', async () => {
    const fake = timelineBridge(async (request: { before?: number }) =>
      request.before === undefined
        ? { events: events(200, 1000), nextCursor: 801 }
        : { events: events(200, 800), nextCursor: 601 },
    );
    renderWith(fake, <Timeline />);
    await screen.findByText('event 1000');
    scrollTo(screen.getByRole('listbox'), 190 * TIMELINE_ROW_HEIGHT);
    await waitFor(() =>
      expect(fake.bridge.page).toHaveBeenLastCalledWith({ limit: 200, before: 801 }),
    );
    await screen.findByText(/400 events/);
  });

  it('shows the selected event in the detail pane, moves with the arrow keys, and the audit check', async () => {
    const fake = timelineBridge(async () => ({ events: events(3) }));
    renderWith(fake, <Timeline />);
    await screen.findByText('event 3');
    expect(await screen.findByText(/Audit log verified \(42 lines\)/)).toBeTruthy();

    fireEvent.click(screen.getByText('event 2'));
    const detail = screen.getByRole('complementary', { name: 'Selected event' });
    expect(within(detail).getByText('event 2')).toBeTruthy();
    expect(within(detail).getByText('fs_read')).toBeTruthy();

    fireEvent.keyDown(screen.getByRole('listbox'), { key: 'ArrowDown' });
    expect(within(detail).getByText('event 1')).toBeTruthy();
  });

  it("shows an event's detail (a tool call's whole input) in the detail pane", async () => {
    const [first] = events(1);
    const withDetail = {
      ...first!,
      summary: '[tool_call] email.send to="alice@example.com"',
      detail: { input: { to: ['alice@example.com'], body: 'Quarterly numbers attached.' } },
    };
    renderWith(
      timelineBridge(async () => ({ events: [withDetail] })),
      <Timeline />,
    );
    fireEvent.click(await screen.findByText(withDetail.summary));
    const detail = screen.getByRole('complementary', { name: 'Selected event' });
    const json = within(detail).getByLabelText('Event detail');
    expect(JSON.parse(json.textContent!)).toEqual(withDetail.detail);
  });

  it('shows a monitor alert as an alert', async () => {
    const fake = timelineBridge(async () => ({ events: [] }));
    renderWith(fake, <Timeline />);
    fake.emit('monitor.alert', { rule: 'blocked_path', message: 'tried ~/.aws/credentials' });
    expect(screen.getByRole('alert').textContent).toContain('tried ~/.aws/credentials');
  });

  describe('the session filter', () => {
    const SESSION = '0123456789abcdef0123456789abcdef';
    const OTHER = 'fedcba9876543210fedcba9876543210';
    const lastRequest = (fake: ReturnType<typeof timelineBridge>) =>
      (fake.bridge.page as ReturnType<typeof vi.fn>).mock.lastCall?.[0] as unknown;

    it("opens on a session's events with a chip that clears it, and follows only its live events", async () => {
      const fake = timelineBridge(async (request: { sessionId?: string }) => ({
        events: request.sessionId ? events(2) : events(5),
      }));
      renderWith(fake, <Timeline sessionId={SESSION} />);
      await screen.findByText(/^2 events/);
      expect(lastRequest(fake)).toEqual({ sessionId: SESSION, limit: 200 });
      const chip = screen.getByTitle(`Only the events of session ${SESSION}`);
      expect(chip.textContent).toContain('session 01234567…');

      const live = { kind: 'tool_call' as const, level: 'INFO' as const, time: Date.now() };
      fake.emit('timeline.event', { ...live, summary: 'other session', sessionId: OTHER });
      fake.emit('timeline.event', { ...live, summary: 'no session' });
      fake.emit('timeline.event', { ...live, summary: 'this session', sessionId: SESSION });
      const options = within(screen.getByRole('listbox')).getAllByRole('option');
      expect(options.map((option) => option.textContent)).toEqual([
        expect.stringContaining('this session'),
        expect.stringContaining('event 2'),
        expect.stringContaining('event 1'),
      ]);

      fireEvent.click(screen.getByRole('button', { name: 'Clear the session filter' }));
      await screen.findByText(/^5 events/);
      expect(lastRequest(fake)).toEqual({ limit: 200 });
      expect(screen.queryByRole('button', { name: 'Clear the session filter' })).toBeNull();
    });

    it('follows #timeline?session=<id>, also when the address changes later, and clearing drops it', async () => {
      window.history.replaceState(null, '', `/${timelineHashFor(SESSION)}`);
      const fake = timelineBridge(async () => ({ events: events(1) }));
      renderWith(fake, <Timeline />);
      await screen.findByText('event 1');
      expect(lastRequest(fake)).toEqual({ sessionId: SESSION, limit: 200 });

      // A "show in timeline" link of another session while the view is open.
      const changed = new Promise((resolve) =>
        window.addEventListener('hashchange', resolve, { once: true }),
      );
      window.location.hash = timelineHashFor(OTHER);
      await changed;
      await waitFor(() => expect(lastRequest(fake)).toEqual({ sessionId: OTHER, limit: 200 }));
      expect(screen.getByTitle(`Only the events of session ${OTHER}`)).toBeTruthy();

      fireEvent.click(screen.getByRole('button', { name: 'Clear the session filter' }));
      await waitFor(() => expect(lastRequest(fake)).toEqual({ limit: 200 }));
      expect(window.location.hash).toBe('#timeline');
    });

    it("narrows to a selected event's session from the detail pane", async () => {
      const [first, second] = events(2);
      const fake = timelineBridge(async () => ({
        events: [{ ...first!, sessionId: SESSION }, second!],
      }));
      renderWith(fake, <Timeline />);
      fireEvent.click(await screen.findByText('event 2'));
      const detail = screen.getByRole('complementary', { name: 'Selected event' });
      expect(within(detail).getByText(SESSION)).toBeTruthy();
      fireEvent.click(within(detail).getByRole('button', { name: 'Only this session' }));
      await waitFor(() => expect(lastRequest(fake)).toEqual({ sessionId: SESSION, limit: 200 }));
    });

    it.each([
      ['#timeline?session=abc-1_2', 'abc-1_2'],
      ['#timeline', undefined],
      ['#task?session=abc', undefined],
      ['#timeline?session=', undefined],
      ['#timeline?session=%3Cimg%20src%3Dx%3E', undefined],
      [`#timeline?session=${'a'.repeat(201)}`, undefined],
    ])('reads %s as session %s', (hash, expected) => {
      expect(sessionFromHash(hash)).toBe(expected);
    });
  });
});
