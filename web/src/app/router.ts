/**
 * A minimal history router: the console's pages are paths (`/floor`, `/racks/rack:h1-r001-01`) so links can be
 * shared; the server answers index.html for them.
 */
import { type MouseEvent, useEffect, useState } from "react";

const listeners = new Set<() => void>();

/** Goes to a path inside the console. */
export function navigate(path: string, options: { replace?: boolean } = {}): void {
  if (path === currentPath()) return;
  if (options.replace === true) history.replaceState(null, "", path);
  else history.pushState(null, "", path);
  for (const listener of listeners) listener();
  window.scrollTo(0, 0);
}

function currentPath(): string {
  return `${location.pathname}${location.search}`;
}

/** The current location, re-rendering on navigation. */
export function useLocation(): { pathname: string; search: URLSearchParams } {
  const [path, setPath] = useState(currentPath);
  useEffect(() => {
    const update = () => setPath(currentPath());
    listeners.add(update);
    window.addEventListener("popstate", update);
    return () => {
      listeners.delete(update);
      window.removeEventListener("popstate", update);
    };
  }, []);
  const url = new URL(path, location.origin);
  return { pathname: url.pathname, search: url.searchParams };
}

/** Follows a same-origin link without reloading (plain clicks only; modifiers keep the browser's behaviour). */
export function followLink(event: MouseEvent<HTMLAnchorElement>): void {
  if (
    event.defaultPrevented ||
    event.button !== 0 ||
    event.metaKey ||
    event.ctrlKey ||
    event.shiftKey ||
    event.altKey
  ) {
    return;
  }
  const href = event.currentTarget.getAttribute("href");
  if (href === null || !href.startsWith("/")) return;
  event.preventDefault();
  navigate(href);
}
