import { GatewayError } from '../errors/index.js';

/**
 * A command line the CLI cannot run (unknown option, missing argument): `modelgate` prints the
 * message and the command's usage and exits 2, apart from failures of a valid command (exit 1).
 */
export class UsageError extends GatewayError {
  constructor(message: string) {
    super('bad_request', 400, message);
    this.name = 'UsageError';
  }
}
