import { createHash } from 'node:crypto';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { CALL_HEADERS, type CallResult, type SqsRequestSpec } from '../common';
import { describeAwsFailure, isTransientAwsError, untilAborted } from './aws-call';
import type { LambdaAttemptOutcome } from './lambda-invoke';

/** What one SendMessage attempt came to (the shape of every AWS attempt). */
export type SqsAttemptOutcome = LambdaAttemptOutcome;

/** Who the message is for: travels as message attributes. */
export interface SqsMessageMeta {
  idempotencyKey: string;
  taskId: string;
  attempt: number;
  keepOutput?: boolean;
}

/** Sends one message. */
export type SqsSender = (spec: SqsRequestSpec, meta: SqsMessageMeta, signal: AbortSignal) => Promise<SqsAttemptOutcome>;

export interface SqsSenderDeps {
  /** The client for a region (undefined: the provider chain's). Default: the standard chains, the SDK's retries off; it honours AWS_ENDPOINT_URL_SQS. */
  clientFor?: (region: string | undefined) => SQSClient;
}

/** The region of an AWS queue URL (`https://sqs.<region>.amazonaws.com/...`). */
const QUEUE_URL_REGION = /^https?:\/\/sqs\.([a-z0-9-]+)\.amazonaws\.com/;

/**
 * Builds the sender the SQS activity calls once per attempt: one SendMessage with the SDK's own
 * retries off, bounded by `spec.timeoutMs` and `signal`. The idempotency key, task id and attempt
 * travel as message attributes; a FIFO queue deduplicates on the idempotency key unless the call
 * gives its own deduplication id. The result is the `MessageId`.
 */
export function createSqsSender(deps: SqsSenderDeps = {}): SqsSender {
  const clients = new Map<string, SQSClient>();
  // The request goes to the regional (or AWS_ENDPOINT_URL_SQS) endpoint, never to the queue URL's
  // own host: a queue URL is the user's text, and would otherwise be an address the worker calls.
  const clientFor = deps.clientFor ?? ((region) => new SQSClient({ region, maxAttempts: 1, useQueueUrlAsEndpoint: false }));
  const cachedClient = (region: string | undefined): SQSClient => {
    let client = clients.get(region ?? '');
    if (!client) clients.set(region ?? '', (client = clientFor(region)));
    return client;
  };

  return async (spec, meta, signal) => {
    const { sqs, timeoutMs } = spec;
    const fifo = sqs.queueUrl.replace(/\/$/, '').endsWith('.fifo');
    const command = new SendMessageCommand({
      QueueUrl: sqs.queueUrl,
      MessageBody: JSON.stringify(sqs.messageBody),
      MessageGroupId: sqs.messageGroupId,
      MessageDeduplicationId: sqs.messageDeduplicationId ?? (fifo ? deduplicationId(meta.idempotencyKey) : undefined),
      DelaySeconds: sqs.delaySeconds,
      MessageAttributes: {
        [CALL_HEADERS.idempotencyKey]: { DataType: 'String', StringValue: meta.idempotencyKey },
        [CALL_HEADERS.taskId]: { DataType: 'String', StringValue: meta.taskId },
        [CALL_HEADERS.attempt]: { DataType: 'Number', StringValue: String(meta.attempt) },
      },
    });
    const timeout = AbortSignal.timeout(timeoutMs);
    const abortSignal = AbortSignal.any([timeout, signal]);
    try {
      const client = cachedClient(QUEUE_URL_REGION.exec(sqs.queueUrl)?.[1]);
      const response = await untilAborted(client.send(command, { abortSignal }), abortSignal);
      const statusCode = response.$metadata.httpStatusCode ?? 200;
      const body = { messageId: response.MessageId, ...(response.SequenceNumber ? { sequenceNumber: response.SequenceNumber } : {}) };
      const result: CallResult = { statusCode, body, bodyTruncated: false };
      return { statusCode, error: null, retryable: true, result, ...(meta.keepOutput ? { output: { status: statusCode, body } } : {}) };
    } catch (err) {
      if (timeout.aborted)
        return { statusCode: null, error: `timed out after ${timeoutMs} ms`, retryable: true, transient: true, result: null };
      if (signal.aborted) return { statusCode: null, error: 'cancelled', retryable: true, transient: true, result: null };
      return { ...describeAwsFailure(err, isTransientAwsError, 'use a queue URL of sqs.<region>.amazonaws.com'), result: null };
    }
  };
}

/** SQS takes up to 128 characters of [\x21-\x7e] as a deduplication id: the key when it fits, else its hash. */
function deduplicationId(idempotencyKey: string): string {
  return /^[\x21-\x7e]{1,128}$/.test(idempotencyKey) ? idempotencyKey : createHash('sha256').update(idempotencyKey).digest('hex');
}
