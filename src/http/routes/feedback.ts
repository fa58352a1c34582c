import { Hono } from 'hono';
import { z } from 'zod';
import type { FeedbackIntake } from '../../control/monitoring-views.js';
import type { AppEnv } from '../app-env.js';
import { readJson } from '../read-json.js';

const Value = z.union([z.number(), z.array(z.number()).min(1).max(1024)]);
const One = z.object({ request_id: z.string().min(1).max(200), value: Value });
const Batch = z.object({ feedback: z.array(One).min(1).max(1000) });

/**
 * Ground truth for answered predictions, by request id (the x-request-id of the answer).
 * Single: 202 accepted; 404 unknown id; 409 duplicate; 410 late; 400 unusable value.
 * Batch: 200 with a status per item (accepted, duplicate, unknown, late, invalid).
 */
export function feedbackRoutes(feedback: FeedbackIntake): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.post('/feedback', async (c) => {
    const body = await readJson(c, One);
    return c.json(await feedback.submit({ requestId: body.request_id, value: body.value }), 202);
  });
  app.post('/feedback/batch', async (c) => {
    const body = await readJson(c, Batch);
    const results = await feedback.submitMany(body.feedback.map((f) => ({ requestId: f.request_id, value: f.value })));
    const count = (s: string) => results.filter((r) => r.status === s).length;
    return c.json({ accepted: count('accepted'), refused: results.length - count('accepted'), results });
  });
  return app;
}

/** The bodies the feedback routes validate (the OpenAPI document describes them from here). */
export { One as FeedbackBody, Batch as FeedbackBatchBody };
