import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';

/**
 * The pages the first load does without, each its own file of the build: the task list (the page
 * a visit starts on) comes with the first script, the rest when first opened. `preload` starts a
 * download early (a pointer over a link), so the page is usually there by the click.
 */
export const PAGES = {
  details: () => import('./details'),
  forms: () => import('./forms'),
  edit: () => import('./edit-forms'),
  schedules: () => import('./schedule-list'),
  failed: () => import('./failed'),
  functions: () => import('./functions'),
};

type Loader<M> = () => Promise<M>;

const loaded = new Map<Loader<unknown>, unknown>();
const loading = new Map<Loader<unknown>, Promise<unknown>>();

/** Starts loading a page's file (once); resolves with its module. */
export function preload<M>(load: Loader<M>): Promise<M> {
  let promise = loading.get(load) as Promise<M> | undefined;
  if (!promise) {
    promise = load().then((module) => {
      loaded.set(load, module);
      return module;
    });
    // A failed download may succeed later (the network came back): the next try starts afresh.
    promise.catch(() => loading.delete(load));
    loading.set(load, promise);
  }
  return promise;
}

/**
 * A page from a file loaded on demand: "Loading…" until it is there (at once when it was loaded
 * before), and a plain message when it cannot be (offline, or a newer dashboard replaced its files).
 */
export function Lazy<M>({ load, render }: { load: Loader<M>; render: (module: M) => JSX.Element }) {
  // The cache decides what is shown: the same <Lazy> may be handed another page's loader.
  const [, setVersion] = useState(0);
  const [failed, setFailed] = useState<{ load: Loader<unknown>; message: string } | null>(null);
  const module = loaded.get(load) as M | undefined;
  useEffect(() => {
    if (loaded.has(load)) return;
    let live = true;
    preload(load).then(
      () => live && setVersion((v) => v + 1),
      (err: unknown) => live && setFailed({ load, message: err instanceof Error ? err.message : String(err) }),
    );
    return () => {
      live = false;
    };
  }, [load]);
  if (module) return render(module);
  if (failed?.load === load) {
    return (
      <p class="notice notice-bad" role="alert">
        This page could not be loaded ({failed.message}). If the dashboard was updated meanwhile, reload the page.
      </p>
    );
  }
  return <p class="muted">Loading…</p>;
}
