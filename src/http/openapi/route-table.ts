/** A route as Hono lists it (`app.routes`). */
export interface HonoRoute {
  method: string;
  path: string;
}

/** A Hono path template in OpenAPI's form: `/:model` and `/:file{regex}` become `/{model}`, `/{file}`. */
export function openApiPath(honoPath: string): string {
  const path = honoPath.replace(/\/:([A-Za-z0-9_]+)(\{[^}]*\})?/g, '/{$1}');
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}

/** The routes with a handler (middleware is listed as ALL), as `METHOD /openapi/path`, once each. */
export function routeTable(routes: readonly HonoRoute[]): Set<string> {
  const table = new Set<string>();
  for (const r of routes) if (r.method !== 'ALL') table.add(`${r.method} ${openApiPath(r.path)}`);
  return table;
}
