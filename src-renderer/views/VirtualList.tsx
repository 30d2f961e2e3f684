// Windowing for long lists: a scroll container holds a spacer as tall as every row together,
// and only the rows in view (plus a few either side) are rendered, absolutely positioned.
// 100,000 timeline rows therefore cost a few dozen DOM nodes.
import { useState, type KeyboardEvent, type ReactNode, type Ref } from 'react';

/** Used when the container has no measured height yet (first render, or jsdom). */
const FALLBACK_VIEWPORT = 480;
const OVERSCAN = 8;

export interface VisibleSlice {
  first: number;
  last: number;
}

/** Which rows [first, last) to render for a scroll position. */
export function visibleSlice(
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
  count: number,
): VisibleSlice {
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - OVERSCAN);
  const last = Math.min(count, Math.ceil((scrollTop + viewportHeight) / rowHeight) + OVERSCAN);
  return { first, last: Math.max(first, last) };
}

interface VirtualListProps<T> {
  items: readonly T[];
  rowHeight: number;
  renderRow: (item: T, index: number) => ReactNode;
  rowKey: (item: T, index: number) => string | number;
  /** Called with the last rendered index, e.g. to load an older page near the end. */
  onRangeChange?: (slice: VisibleSlice) => void;
  label: string;
  activeId?: string;
  onKeyDown?: (event: KeyboardEvent<HTMLDivElement>) => void;
  containerRef?: Ref<HTMLDivElement>;
  className?: string;
}

export function VirtualList<T>(props: VirtualListProps<T>) {
  const { items, rowHeight, renderRow, rowKey, onRangeChange } = props;
  const [scroll, setScroll] = useState({ top: 0, height: FALLBACK_VIEWPORT });
  const slice = visibleSlice(scroll.top, scroll.height, rowHeight, items.length);
  const rows: ReactNode[] = [];
  for (let index = slice.first; index < slice.last; index++) {
    const item = items[index] as T;
    rows.push(
      <div
        key={rowKey(item, index)}
        className="virtual-row"
        style={{
          position: 'absolute',
          top: index * rowHeight,
          height: rowHeight,
          left: 0,
          right: 0,
        }}
      >
        {renderRow(item, index)}
      </div>,
    );
  }
  return (
    <div
      ref={props.containerRef}
      className={`virtual-list ${props.className ?? ''}`}
      role="listbox"
      aria-label={props.label}
      aria-activedescendant={props.activeId}
      tabIndex={0}
      onKeyDown={props.onKeyDown}
      onScroll={(event) => {
        const element = event.currentTarget;
        const next = { top: element.scrollTop, height: element.clientHeight || FALLBACK_VIEWPORT };
        setScroll(next);
        onRangeChange?.(visibleSlice(next.top, next.height, rowHeight, items.length));
      }}
    >
      <div className="virtual-spacer" style={{ height: items.length * rowHeight }}>
        {rows}
      </div>
    </div>
  );
}
