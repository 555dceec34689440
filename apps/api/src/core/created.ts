import type { Response } from 'express';

/**
 * A creation answers 201; a retried one whose Idempotency-Key had already created the resource
 * answers 200 with it.
 */
export function answerCreated<T>(res: Response, outcome: { created: boolean }, body: T): T {
  res.status(outcome.created ? 201 : 200);
  return body;
}
