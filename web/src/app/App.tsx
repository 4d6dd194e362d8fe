/**
 * The console shell: sign-in with an API key, then a header, the navigation the caller's role allows, and the page
 * of the current path. `GET /v1/me` decides what is shown; the server's OpenAPI document says which features exist.
 */
import { type FormEvent, type ReactNode, useCallback, useEffect, useMemo, useState } from "react";
import { Capabilities, permissionsOf } from "../api/capabilities.ts";
import { ApiClient, ApiError, describeError } from "../api/client.ts";
import type { Me, SiteSummary } from "../api/types.ts";
import { AlarmBanner, IncidentNotice } from "../components/alarms.tsx";
import { Field } from "../components/field.tsx";
import { GridEventBanner } from "../components/grid.tsx";
import { setDisplayTimeZone } from "../format.ts";
import { AlarmsPage } from "../pages/AlarmsPage.tsx";
import { CoolingPage } from "../pages/CoolingPage.tsx";
import { EnergyPage } from "../pages/EnergyPage.tsx";
import { FloorPage } from "../pages/FloorPage.tsx";
import { ArrayPage, JobPage } from "../pages/JobPage.tsx";
import { MaintenancePage } from "../pages/MaintenancePage.tsx";
import { OverviewPage } from "../pages/OverviewPage.tsx";
import { QueuesPage } from "../pages/QueuesPage.tsx";
import { RackPage } from "../pages/RackPage.tsx";
import { UsagePage } from "../pages/UsagePage.tsx";
import { WhatIfPage } from "../pages/WhatIfPage.tsx";
import { WorkloadsPage } from "../pages/WorkloadsPage.tsx";
import { followLink, useLocation } from "./router.ts";
import { clearKey, storedKey, storeKey } from "./session.ts";
import { type Session, SessionContext, useSession } from "./session-context.tsx";

interface Opened {
  readonly client: ApiClient;
  readonly me: Me;
  readonly capabilities: Capabilities;
  readonly site: SiteSummary | undefined;
}

async function openSession(token: string): Promise<Opened> {
  const client = new ApiClient(token);
  const me = await client.get<Me>("/v1/me");
  const [openApi, site] = await Promise.all([
    fetch("/openapi.json").then((response) => (response.ok ? (response.json() as Promise<unknown>) : null)),
    client.get<SiteSummary>("/v1/site").catch(() => undefined),
  ]);
  setDisplayTimeZone(site?.timezone);
  return { client, me, capabilities: Capabilities.fromOpenApi(openApi), site };
}

/** The console. */
export function App() {
  const [opened, setOpened] = useState<Opened | undefined>(undefined);
  const [starting, setStarting] = useState(() => storedKey() !== undefined);
  const [problem, setProblem] = useState<string | undefined>(undefined);

  const signIn = useCallback(async (token: string) => {
    setProblem(undefined);
    try {
      const session = await openSession(token);
      storeKey(token);
      session.client.onUnauthorized = () => {
        clearKey();
        setOpened(undefined);
        setProblem("The platform no longer accepts your key (revoked or expired). Sign in again.");
      };
      setOpened(session);
    } catch (error) {
      clearKey();
      setProblem(
        error instanceof ApiError && error.status === 401
          ? `This key was refused: ${error.message}.`
          : `Could not reach the platform: ${describeError(error)}`,
      );
    } finally {
      setStarting(false);
    }
  }, []);

  useEffect(() => {
    const token = storedKey();
    if (token !== undefined) void signIn(token);
  }, [signIn]);

  const signOut = useCallback(() => {
    clearKey();
    setOpened(undefined);
  }, []);

  if (opened === undefined) {
    if (starting) return <p className="loading">Opening your session…</p>;
    return <LoginPage onSignIn={signIn} problem={problem} />;
  }
  const session: Session = { ...opened, permissions: permissionsOf(opened.me.role), signOut };
  return (
    <SessionContext.Provider value={session}>
      <Shell />
    </SessionContext.Provider>
  );
}

function LoginPage(props: { onSignIn: (token: string) => Promise<void>; problem: string | undefined }) {
  const [token, setToken] = useState("");
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (token.trim() === "") return;
    setBusy(true);
    await props.onSignIn(token.trim());
    setBusy(false);
  };
  return (
    <main className="login" id="main">
      <form className="login-card" onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">alixan console</h1>
        <p className="muted">Alixan AI campus operations. Sign in with your API key.</p>
        <Field
          id="api-key"
          label="API key"
          hint={
            <>
              Kept in this tab only (session storage). Create keys with <code>alixan key create</code>.
            </>
          }
          error={props.problem}
          alert
        >
          {(control) => (
            <input
              {...control}
              name="api-key"
              type="password"
              autoComplete="off"
              spellCheck={false}
              placeholder="alx_…"
              value={token}
              onChange={(event) => setToken(event.target.value)}
              required
            />
          )}
        </Field>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}

interface NavItem {
  readonly path: string;
  readonly label: string;
  readonly visible: boolean;
}

function Shell() {
  const session = useSession();
  const { pathname } = useLocation();
  const { permissions, me, site } = session;
  const items: NavItem[] = [
    { path: "/", label: "Overview", visible: true },
    { path: "/floor", label: "Floor", visible: permissions.staff },
    { path: "/cooling", label: "Cooling", visible: permissions.staff },
    { path: "/energy", label: "Energy", visible: permissions.staff },
    { path: "/alarms", label: "Alarms", visible: permissions.staff },
    { path: "/maintenance", label: "Maintenance", visible: permissions.staff },
    { path: "/workloads", label: "Workloads", visible: true },
    { path: "/queues", label: "Queues", visible: true },
    { path: "/usage", label: "Usage", visible: true },
    { path: "/whatif", label: "What-if", visible: permissions.runWhatIf },
  ];
  const page = pageFor(pathname, session);
  useEffect(() => {
    document.title = `${page.title} · alixan`;
  }, [page.title]);
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true" />
          <span className="brand-name">alixan</span>
          <span className="brand-site">{site?.name ?? "site"}</span>
        </div>
        <nav aria-label="Main">
          <ul className="nav">
            {items
              .filter((item) => item.visible)
              .map((item) => {
                const current = item.path === "/" ? pathname === "/" : pathname.startsWith(item.path);
                return (
                  <li key={item.path}>
                    <a href={item.path} onClick={followLink} aria-current={current ? "page" : undefined}>
                      {item.label}
                    </a>
                  </li>
                );
              })}
          </ul>
        </nav>
        <AlarmBanner />
        <GridEventBanner />
        <div className="user">
          <span className="user-name" data-role={me.role}>
            {me.name}
            <span className="user-role">
              {me.role}
              {me.tenantId === null ? "" : ` · ${me.tenantId}`}
            </span>
          </span>
          <button type="button" onClick={session.signOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" className="content" tabIndex={-1}>
        <IncidentNotice />
        {page.element}
      </main>
    </div>
  );
}

function pageFor(pathname: string, session: Session): { title: string; element: ReactNode } {
  const { permissions } = session;
  const staffOnly = (title: string, element: ReactNode) =>
    permissions.staff ? { title, element } : { title, element: <NotPermitted /> };
  if (pathname === "/" || pathname === "/index.html") return { title: "Overview", element: <OverviewPage /> };
  if (pathname === "/floor") return staffOnly("Floor", <FloorPage />);
  if (pathname.startsWith("/racks/")) {
    const id = decodeURIComponent(pathname.slice("/racks/".length));
    return staffOnly(`Rack ${id}`, <RackPage rackId={id} />);
  }
  if (pathname === "/cooling") return staffOnly("Cooling", <CoolingPage />);
  if (pathname === "/energy") return staffOnly("Energy", <EnergyPage />);
  if (pathname === "/alarms") return staffOnly("Alarms", <AlarmsPage />);
  if (pathname === "/maintenance") return staffOnly("Maintenance", <MaintenancePage />);
  if (pathname === "/workloads") return { title: "Workloads", element: <WorkloadsPage /> };
  if (pathname.startsWith("/jobs/")) {
    const id = decodeURIComponent(pathname.slice("/jobs/".length)).slice(0, 200);
    return { title: `Job ${id}`, element: <JobPage key={id} jobId={id} /> };
  }
  if (pathname.startsWith("/arrays/")) {
    const id = decodeURIComponent(pathname.slice("/arrays/".length)).slice(0, 200);
    return { title: `Array ${id}`, element: <ArrayPage key={id} arrayJobId={id} /> };
  }
  if (pathname === "/queues") return { title: "Queues", element: <QueuesPage /> };
  if (pathname === "/usage") return { title: "Usage", element: <UsagePage /> };
  if (pathname === "/whatif") {
    return permissions.runWhatIf
      ? { title: "What-if", element: <WhatIfPage /> }
      : { title: "What-if", element: <NotPermitted /> };
  }
  return { title: "Not found", element: <NotFound pathname={pathname} /> };
}

function NotPermitted() {
  return (
    <section aria-labelledby="forbidden-title">
      <h1 id="forbidden-title">Not available for your role</h1>
      <p>
        This page is for platform staff. <a href="/">Back to the overview</a>.
      </p>
    </section>
  );
}

function NotFound(props: { pathname: string }) {
  const shown = useMemo(() => props.pathname.slice(0, 200), [props.pathname]);
  return (
    <section aria-labelledby="notfound-title">
      <h1 id="notfound-title">No such page</h1>
      <p>
        Nothing lives at <code>{shown}</code>. <a href="/">Back to the overview</a>.
      </p>
    </section>
  );
}
