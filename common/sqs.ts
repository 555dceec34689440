/**
 * The SQS call: one message sent to an Amazon SQS queue instead of a URL.
 * Plain types and pure functions only: this file is bundled into workflow code.
 */
import type { FlowControlSpec } from './call';

/** Which queue, and what message. */
export interface SqsMessageSpec {
  /** `https://sqs.<region>.amazonaws.com/<account>/<name>` (or an emulator's). */
  queueUrl: string;
  /** Any JSON value: the message body is its JSON text. */
  messageBody: unknown;
  /** FIFO queues: the group the message belongs to. */
  messageGroupId?: string;
  /** FIFO queues: deduplication within 5 minutes (absent: the call's Idempotency-Key, for FIFO queues). */
  messageDeduplicationId?: string;
  /** Standard queues: deliver after this many seconds (0 to 900). */
  delaySeconds?: number;
}

/** An SQS call as the user described it. */
export interface SqsRequestSpec {
  sqs: SqsMessageSpec;
  /** Time limit of one attempt (the SendMessage round trip), in milliseconds. */
  timeoutMs: number;
  flowControl?: FlowControlSpec;
}

/** Largest message body: SQS takes 256 KB (1 MB since 2025 on some regions); 256 KB keeps the history small too. */
export const SQS_MESSAGE_LIMIT_BYTES = 256 * 1024;

/** The queue ARN a queue URL stands for (`arn:aws:sqs:<region>:<account>:<name>`), or null when the URL is not an SQS queue URL. */
export function sqsQueueArn(queueUrl: string): string | null {
  const match = /^https?:\/\/sqs\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/(\d{12})\/([A-Za-z0-9_-]{1,80}(?:\.fifo)?)\/?$/.exec(queueUrl);
  return match ? `arn:aws:sqs:${match[1]}:${match[2]}:${match[3]}` : null;
}

/** Application failure types of the SQS activity (none thrown today: attempts report). */
export const SqsFailureType = {
  AttemptFailed: 'SqsAttemptFailed',
  NotRetryable: 'SqsNotRetryable',
} as const;
