import { useEffect } from 'preact/hooks';
import { Lazy, PAGES } from './lazy';
import { RunListPage } from './lists';
import { navigate, useLocation, type Route } from './router';
import { signOut, useSession } from './session';
import { SignInPage } from './sign-in';

const SECTIONS = [
  ['tasks', 'Tasks'],
  ['orchestrations', 'Orchestrations'],
  ['schedules', 'Schedules'],
  ['failed', 'Failed runs'],
] as const;

/** The section a page belongs to, for the navigation's current link. */
function sectionOf(route: Route): string | null {
  switch (route.page) {
    case 'tasks':
    case 'task':
    case 'new-task':
      return 'tasks';
    case 'orchestrations':
    case 'orchestration':
    case 'new-orchestration':
    case 'edit-orchestration':
      return 'orchestrations';
    case 'schedules':
    case 'schedule':
    case 'new-schedule':
    case 'edit-schedule':
      return 'schedules';
    case 'failed':
    case 'functions':
      return route.page;
    default:
      return null;
  }
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'tasks':
      return <RunListPage collection="tasks" />;
    case 'orchestrations':
      return <RunListPage collection="orchestrations" />;
    case 'schedules':
      return <Lazy load={PAGES.schedules} render={(m) => <m.ScheduleListPage />} />;
    case 'failed':
      return <Lazy load={PAGES.failed} render={(m) => <m.FailedRunsPage />} />;
    case 'functions':
      return <Lazy load={PAGES.functions} render={(m) => <m.FunctionsPage />} />;
    case 'new-task':
      return <Lazy load={PAGES.forms} render={(m) => <m.NewTaskPage />} />;
    case 'new-orchestration':
      return <Lazy load={PAGES.forms} render={(m) => <m.NewOrchestrationPage />} />;
    case 'new-schedule':
      return <Lazy load={PAGES.forms} render={(m) => <m.NewSchedulePage />} />;
    case 'edit-orchestration':
      return <Lazy load={PAGES.edit} render={(m) => <m.EditOrchestrationPage key={route.id} id={route.id} />} />;
    case 'edit-schedule':
      return <Lazy load={PAGES.edit} render={(m) => <m.EditSchedulePage key={route.id} id={route.id} />} />;
    case 'task':
      return <Lazy load={PAGES.details} render={(m) => <m.TaskPage key={route.id} id={route.id} />} />;
    case 'orchestration':
      return <Lazy load={PAGES.details} render={(m) => <m.OrchestrationPage key={route.id} id={route.id} />} />;
    case 'schedule':
      return <Lazy load={PAGES.details} render={(m) => <m.SchedulePage key={route.id} id={route.id} />} />;
    default:
      return (
        <>
          <h1>Page not found</h1>
          <p>
            There is no such page. <a href="/ui/tasks">Go to the tasks</a>.
          </p>
        </>
      );
  }
}

/** The frame of every page: skip link, banner with navigation and user, main, footer with links. */
export function App() {
  const { ready, me, config } = useSession();
  const { route, path } = useLocation();
  // `/` is the task list; the address says so, so that it can be shared and reloaded.
  useEffect(() => {
    if (path === '/' || path === '/ui' || path === '/ui/') navigate(`/ui/tasks${location.search}`, true);
  }, [path]);
  const section = sectionOf(route);
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <div class="wrap top-row">
          <a class="brand" href="/ui/tasks">
            HTTP scheduler
          </a>
          {me && (
            <nav aria-label="Main">
              <ul>
                {SECTIONS.map(([key, label]) => (
                  <li key={key}>
                    <a href={`/ui/${key}`} aria-current={section === key ? 'page' : undefined}>
                      {label}
                    </a>
                  </li>
                ))}
                {/* Deploying functions is for admins: the API refuses anyone else (403). */}
                {me.admin && (
                  <li>
                    <a href="/ui/functions" aria-current={section === 'functions' ? 'page' : undefined}>
                      Functions
                    </a>
                  </li>
                )}
              </ul>
            </nav>
          )}
          {me && (
            <div class="who">
              <span>
                Signed in as <strong>{me.sub}</strong>
                {me.admin ? ' (admin)' : ''}
              </span>
              <button type="button" class="link" onClick={() => signOut()}>
                Sign out
              </button>
            </div>
          )}
        </div>
      </header>
      <main id="main" tabIndex={-1} class="wrap">
        {!ready ? <p class="muted">Loading…</p> : me ? <Page route={route} /> : <SignInPage />}
      </main>
      <footer class="wrap foot">
        <a href="/docs">API reference (Swagger UI)</a>
        {config?.temporalUiUrl && (
          <a href={config.temporalUiUrl} target="_blank" rel="noopener noreferrer">
            Temporal Web UI<span class="sr-only"> (opens in a new tab)</span>
          </a>
        )}
        {config && <span class="muted">namespace {config.namespace}</span>}
      </footer>
    </>
  );
}
