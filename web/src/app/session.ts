/** The API key of this browser tab: kept in sessionStorage, so it is gone when the tab closes. */

const storageKey = "alixan.apiKey";

/** The stored key, if any. */
export function storedKey(): string | undefined {
  try {
    return sessionStorage.getItem(storageKey) ?? undefined;
  } catch {
    return undefined;
  }
}

/** Keeps the key for this tab. */
export function storeKey(token: string): void {
  sessionStorage.setItem(storageKey, token);
}

/** Forgets the key. */
export function clearKey(): void {
  sessionStorage.removeItem(storageKey);
}
