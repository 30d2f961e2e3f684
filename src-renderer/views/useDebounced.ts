import { useEffect, useState } from 'react';

/** The value, once it has stopped changing for `delayMilliseconds`. */
export function useDebounced<T>(value: T, delayMilliseconds: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), delayMilliseconds);
    return () => clearTimeout(timer);
  }, [value, delayMilliseconds]);
  return settled;
}
