import { waitFor } from './flags.js';

/** What the tests read of `GET /admin/predictions/{requestId}`. */
export interface TracedRecord {
  inputDigest?: string;
}

/** A request's prediction trace record, once the gateway has written it (the trace is appended in the background). */
export async function tracedRecord(baseUrl: string, token: string, requestId: string): Promise<TracedRecord> {
  let record: TracedRecord = {};
  await waitFor(async () => {
    const res = await fetch(`${baseUrl}/admin/predictions/${requestId}`, { headers: { authorization: `Bearer ${token}` } });
    if (res.status === 200) record = (await res.json()) as TracedRecord;
    else await res.body?.cancel();
    return res.status === 200;
  }, 10_000);
  return record;
}
