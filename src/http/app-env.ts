/** The one Hono environment of the gateway: typed context variables set by middleware. */
export interface AppEnv {
  Variables: {
    requestId: string;
    /** Error body shape of the route family: OIP's {"error"} or the v1/admin shape with a code. */
    errorShape: 'oip' | 'rich';
  };
}
