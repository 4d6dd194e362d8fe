/** The signed-in session every page reads: the API client, who the caller is, what the server offers. */
import { createContext, useContext } from "react";
import type { Capabilities, Permissions } from "../api/capabilities.ts";
import type { ApiClient } from "../api/client.ts";
import type { Me, SiteSummary } from "../api/types.ts";

/** A signed-in session. */
export interface Session {
  readonly client: ApiClient;
  readonly me: Me;
  readonly capabilities: Capabilities;
  readonly permissions: Permissions;
  readonly site: SiteSummary | undefined;
  signOut(): void;
}

/** The session of the signed-in console. */
export const SessionContext = createContext<Session | undefined>(undefined);

/** The current session (inside the signed-in shell). */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (session === undefined) throw new Error("useSession outside the signed-in console");
  return session;
}
