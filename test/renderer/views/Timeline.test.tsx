// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { Timeline, TIMELINE_ROW_HEIGHT } from '../../../src-renderer/views/Timeline';
import type { PageEvent } from '../../../src-renderer/views/timelineModel';
import { createAppStore } from '../../../src-renderer/store';
import { fakeBridge, renderWith } from './fakeBridge';

afterEach(cleanup);

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
});
