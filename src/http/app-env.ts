/** The one Hono environment of the gateway: typed context variables set by middleware. */
export interface AppEnv {
  Variables: {
    requestId: string;
  };
}
