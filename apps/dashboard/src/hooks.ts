import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api';

/** How often open pages re-read the API. */
export const REFRESH_MS = 3000;

/** What {@link usePolling} knows. */
export interface Polled<T> {
  /** The last answer; kept while a new one is awaited, so the page does not jump. */
  data: T | undefined;
  /** The last refusal; cleared by the next success. */
  error: ApiError | undefined;
  /** True while the data is of other arguments than the current ones (a tab was switched). */
  stale: boolean;
  /** When the data was last read. */
  updatedAt: Date | undefined;
  /** Reads now (after an action), then carries on every REFRESH_MS. */
  refresh: () => Promise<void>;
}

/**
 * Reads `load` now, whenever `key` changes, and every `intervalMs` (REFRESH_MS) while the page is
 * visible and `live` is true. Hidden tabs read nothing (a background tab should not keep the API
 * busy) and read at once when shown again. One read at a time: a refresh asked for during a read
 * follows it.
 */
export function usePolling<T>(key: string, load: () => Promise<T>, live = true, intervalMs = REFRESH_MS): Polled<T> {
  const [state, setState] = useState<{ key: string; data?: T; error?: ApiError; updatedAt?: Date }>({ key });
  const loadRef = useRef(load);
  loadRef.current = load;
  const liveRef = useRef(live);
  liveRef.current = live;
  const runRef = useRef<() => Promise<void>>(() => Promise.resolve());

  useEffect(() => {
    let stopped = false;
    let timer: number | undefined;
    let running: Promise<void> | null = null;
    let again = false;

    let gone = false;
    const readOnce = async () => {
      try {
        const data = await loadRef.current();
        if (!stopped) setState({ key, data, updatedAt: new Date() });
      } catch (err) {
        const error = err instanceof ApiError ? err : new ApiError(0, fallbackBody(err));
        // Not found (or not yours) stays so: asking again every few seconds would change nothing.
        gone = error.status === 404;
        if (!stopped) setState((s) => ({ ...s, error }));
      }
    };
    const run = async (): Promise<void> => {
      window.clearTimeout(timer);
      if (stopped) return;
      if (running) {
        again = true;
        return running;
      }
      running = (async () => {
        do {
          again = false;
          await readOnce();
        } while (again && !stopped);
      })();
      await running;
      running = null;
      if (!stopped && !gone && liveRef.current && document.visibilityState !== 'hidden') {
        timer = window.setTimeout(() => void run(), intervalMs);
      }
    };
    const onVisibility = () => {
      if (document.visibilityState === 'hidden') window.clearTimeout(timer);
      else if (liveRef.current) void run();
    };
    runRef.current = run;
    document.addEventListener('visibilitychange', onVisibility);
    void run();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [key]);

  // Becoming live again restarts the refresh (the first render's read is the effect's above).
  const wasLive = useRef(live);
  useEffect(() => {
    if (live && !wasLive.current) void runRef.current();
    wasLive.current = live;
  }, [live]);

  const refresh = useCallback(() => runRef.current(), []);
  return { data: state.data, error: state.error, stale: state.key !== key, updatedAt: state.updatedAt, refresh };
}

function fallbackBody(err: unknown) {
  return { statusCode: 0, error: 'Error', message: err instanceof Error ? err.message : String(err) };
}

/** Sets the document title for the page. */
export function useTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · HTTP scheduler`;
  }, [title]);
}
