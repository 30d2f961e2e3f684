// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, screen, waitFor } from '@testing-library/react';
import { Usage } from '../../../src-renderer/views/Usage';
import { fakeBridge, renderWith } from './fakeBridge';

afterEach(cleanup);

const HOUR = 3_600_000;

describe('Usage', () => {
  it('draws one bar per hour, as tall as its count, and a bar per task cost', async () => {
    const start = 1_700_000_000_000 - (1_700_000_000_000 % HOUR);
    const fake = fakeBridge({
      summary: vi.fn(async () => ({
        actionsPerHour: Array.from({ length: 24 }, (_, index) => ({
          hour: start + index * HOUR,
          count: index === 23 ? 10 : index === 22 ? 5 : 0,
        })),
        costPerTask: [{ taskId: 'task-aaaaaaaa', costUsd: 0.25, endedAt: start }],
        truncated: false,
      })),
    });
    const { container } = renderWith(fake, <Usage />);
    await waitFor(() =>
      expect(container.querySelectorAll('[data-testid="hour-bar"]')).toHaveLength(24),
    );
    expect(fake.bridge.summary).toHaveBeenCalledWith({ hours: 24 });
    const bars = [...container.querySelectorAll('[data-testid="hour-bar"]')];
    expect(Number(bars[23]?.getAttribute('height'))).toBe(120);
    expect(Number(bars[22]?.getAttribute('height'))).toBe(60);
    expect(Number(bars[0]?.getAttribute('height'))).toBe(0);
    expect(screen.getByRole('img', { name: /Actions per hour: 15/ })).toBeTruthy();

    expect(container.querySelectorAll('[data-testid="cost-bar"]')).toHaveLength(1);
    fake.emit('task.ended', {
      taskId: 'task-bbbbbbbb',
      status: 'done',
      text: '',
      refused: [],
      costUsd: 0.5,
      iterations: 2,
    });
    expect(container.querySelectorAll('[data-testid="cost-bar"]')).toHaveLength(2);
    expect(screen.getByText('$0.5000')).toBeTruthy();
  });
});
