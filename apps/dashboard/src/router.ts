import { useEffect, useState } from 'preact/hooks';

/** The dashboard's pages, each under /ui/ (the API owns every other path). */
export type Route =
  | { page: 'tasks' | 'orchestrations' | 'schedules' }
  | { page: 'new-task' | 'new-orchestration' | 'new-schedule' }
  | { page: 'task' | 'orchestration' | 'schedule'; id: string }
  | { page: 'not-found' };

/** Where the identity provider sends the browser back to after a sign-in (register it with the provider). */
export const OIDC_CALLBACK_PATH = '/ui/callback';

const COLLECTIONS = { tasks: 'task', orchestrations: 'orchestration', schedules: 'schedule' } as const;

/** The route of a path (`/ui/tasks/task-4f1c...`); `/` is the task list. */
export function parseRoute(pathname: string): Route {
  if (pathname === '/' || pathname === '/ui' || pathname === '/ui/') return { page: 'tasks' };
  const [prefix, collection, id, ...rest] = pathname.replace(/^\/+|\/+$/g, '').split('/');
  if (prefix !== 'ui' || rest.length > 0 || !(collection in COLLECTIONS)) return { page: 'not-found' };
  const one = COLLECTIONS[collection as keyof typeof COLLECTIONS];
  if (id === undefined) return { page: collection as keyof typeof COLLECTIONS };
  if (id === 'new') return { page: `new-${one}` };
  return { page: one, id: decodeURIComponent(id) };
}

/** The address of a resource's page. */
export const href = {
  list: (collection: keyof typeof COLLECTIONS, query: Record<string, string | undefined> = {}) => {
    const params = new URLSearchParams(Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''));
    const search = params.toString();
    return `/ui/${collection}${search ? `?${search}` : ''}`;
  },
  task: (id: string) => `/ui/tasks/${encodeURIComponent(id)}`,
  orchestration: (id: string) => `/ui/orchestrations/${encodeURIComponent(id)}`,
  schedule: (id: string) => `/ui/schedules/${encodeURIComponent(id)}`,
};

const listeners = new Set<() => void>();

/** Goes to `to` (a path with its query) without reloading; `replace` keeps the history entry. */
export function navigate(to: string, replace = false): void {
  if (to === location.pathname + location.search) return;
  if (replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  listeners.forEach((listener) => listener());
}

/** The current location, re-rendering the caller when it changes (links, back and forward). */
export function useLocation(): { route: Route; path: string; query: URLSearchParams } {
  const [, setVersion] = useState(0);
  const rendered = location.href;
  useEffect(() => {
    const listener = () => setVersion((v) => v + 1);
    listeners.add(listener);
    addEventListener('popstate', listener);
    // Effects run after the paint: a navigation in between would be lost.
    if (location.href !== rendered) listener();
    return () => {
      listeners.delete(listener);
      removeEventListener('popstate', listener);
    };
  }, []);
  return { route: parseRoute(location.pathname), path: location.pathname, query: new URLSearchParams(location.search) };
}

/** Sets one query parameter of the current page (undefined removes it), replacing the history entry. */
export function setQuery(changes: Record<string, string | undefined>): void {
  const params = new URLSearchParams(location.search);
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined || value === '') params.delete(key);
    else params.set(key, value);
  }
  const search = params.toString();
  navigate(`${location.pathname}${search ? `?${search}` : ''}`);
}

/**
 * Makes every plain click on a link to a dashboard page a client-side navigation. Clicks with a
 * modifier (new tab), on links with a target or a download, or to other paths (/docs, the
 * Temporal UI) stay ordinary.
 */
export function interceptLinks(root: Document): void {
  root.addEventListener('click', (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const link = (event.target as Element | null)?.closest?.('a');
    if (!link || link.target || link.hasAttribute('download')) return;
    const url = new URL(link.href, location.href);
    if (url.origin !== location.origin || !url.pathname.startsWith('/ui/')) return;
    // A jump within the page (#id) is the browser's.
    if (url.hash && url.pathname === location.pathname && url.search === location.search) return;
    event.preventDefault();
    navigate(url.pathname + url.search);
  });
}
