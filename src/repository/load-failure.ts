import { GatewayError } from '../errors/index.js';

export type LoadFailureReason =
  | 'missing_manifest' | 'invalid_manifest' | 'name_mismatch' | 'missing_artifact'
  | 'hash_mismatch' | 'session_failed' | 'signature_mismatch' | 'warmup_failed' | 'unservable_output';

/** A refused version: the reason is a bounded metric label, the message a log line. */
export class LoadFailure extends GatewayError {
  constructor(readonly reason: LoadFailureReason, message: string) {
    super('load_failed', 422, message);
  }
}
