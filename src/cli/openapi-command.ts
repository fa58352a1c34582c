import { openApiDocument } from '../http/openapi/document.js';
import { UsageError } from './usage-error.js';

/** `modelgate openapi`: the HTTP API's OpenAPI 3.1 document (every route the gateway can mount) on stdout. */
export async function openapiCommand(args: string[]): Promise<void> {
  if (args.length > 0) throw new UsageError(`unexpected argument '${String(args[0]).slice(0, 100)}'`);
  process.stdout.write(`${JSON.stringify(openApiDocument(), null, 2)}\n`);
}
