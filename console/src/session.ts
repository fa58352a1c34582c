/**
 * Where the signed-in token lives: sessionStorage (gone with the tab) unless the user ticked
 * "remember", then localStorage. Never the URL.
 */
const KEY = 'modelgate.console.token';

export function loadToken(): string | undefined {
  return sessionStorage.getItem(KEY) ?? localStorage.getItem(KEY) ?? undefined;
}

export function saveToken(token: string, remember: boolean): void {
  clearToken();
  (remember ? localStorage : sessionStorage).setItem(KEY, token);
}

export function clearToken(): void {
  sessionStorage.removeItem(KEY);
  localStorage.removeItem(KEY);
}
