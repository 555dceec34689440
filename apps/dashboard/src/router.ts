import { useEffect, useState } from 'preact/hooks';

/** The dashboard's pages, each under /ui/ (the API owns every other path). */
export type Route =
  | { page: 'tasks' | 'orchestrations' | 'schedules' | 'failed' | 'functions' }
  | { page: 'new-task' | 'new-orchestration' | 'new-schedule' }
  | { page: 'task' | 'orchestration' | 'schedule' | 'edit-orchestration' | 'edit-schedule'; id: string }
  | { page: 'not-found' };

/** Where the identity provider sends the browser back to after a sign-in (register it with the provider). */
export const OIDC_CALLBACK_PATH = '/ui/callback';

/** The redirect URI registered with the identity provider: this origin's callback page. */
export function oidcRedirectUri(): string {
  return `${location.origin}${OIDC_CALLBACK_PATH}`;
}

const COLLECTIONS = { tasks: 'task', orchestrations: 'orchestration', schedules: 'schedule' } as const;
/** Pages that are not a collection of resources. */
const SINGLE_PAGES = ['failed', 'functions'] as const;

/** The route of a path (`/ui/tasks/task-4f1c...`, `/ui/schedules/sched-1/edit`); `/` is the task list. */
export function parseRoute(pathname: string): Route {
  if (pathname === '/' || pathname === '/ui' || pathname === '/ui/') return { page: 'tasks' };
  const [prefix, collection, id, action, ...rest] = pathname.replace(/^\/+|\/+$/g, '').split('/');
  if (prefix !== 'ui' || rest.length > 0) return { page: 'not-found' };
  if ((SINGLE_PAGES as readonly string[]).includes(collection) && id === undefined)
    return { page: collection as (typeof SINGLE_PAGES)[number] };
  if (!(collection in COLLECTIONS)) return { page: 'not-found' };
  const one = COLLECTIONS[collection as keyof typeof COLLECTIONS];
  if (id === undefined) return { page: collection as keyof typeof COLLECTIONS };
  if (id === 'new' && action === undefined) return { page: `new-${one}` };
  if (action === undefined) return { page: one, id: decodeURIComponent(id) };
  // Orchestrations and schedules can be edited (while they allow it); tasks are moved on their page.
  if (action === 'edit' && one !== 'task') return { page: `edit-${one}`, id: decodeURIComponent(id) };
  return { page: 'not-found' };
}

/** The address of a resource's page. */
export const href = {
  /** A list with its query; a list of values (`tag`) repeats the parameter. */
  list: (collection: keyof typeof COLLECTIONS | 'failed', query: Record<string, string | string[] | undefined> = {}) => {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query))
      for (const one of Array.isArray(value) ? value : [value]) if (one !== undefined && one !== '') params.append(key, one);
    const search = params.toString();
    return `/ui/${collection}${search ? `?${search}` : ''}`;
  },
  task: (id: string) => `/ui/tasks/${encodeURIComponent(id)}`,
  orchestration: (id: string) => `/ui/orchestrations/${encodeURIComponent(id)}`,
  schedule: (id: string) => `/ui/schedules/${encodeURIComponent(id)}`,
  /** A task's or an orchestration's page, by its id's prefix. */
  run: (id: string) => (id.startsWith('orch-') ? href.orchestration(id) : href.task(id)),
  edit: (collection: 'orchestrations' | 'schedules', id: string) => `/ui/${collection}/${encodeURIComponent(id)}/edit`,
};

/** The query of the current page as an object, each parameter with all its values (`tag` may repeat). */
export function queryObject(query: URLSearchParams): Record<string, string[]> {
  const object: Record<string, string[]> = {};
  for (const [key, value] of query) (object[key] ??= []).push(value);
  return object;
}

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

/** Sets query parameters of the current page (undefined removes one; a list repeats it). */
export function setQuery(changes: Record<string, string | string[] | undefined>): void {
  const params = new URLSearchParams(location.search);
  for (const [key, value] of Object.entries(changes)) {
    params.delete(key);
    for (const one of Array.isArray(value) ? value : [value]) if (one !== undefined && one !== '') params.append(key, one);
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
