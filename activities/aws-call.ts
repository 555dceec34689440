/** What the AWS targets (Lambda, SQS) share: one attempt bounded by its time limit, and the SDK's errors as outcomes. */

/** What an AWS SDK error came to: its status (null when no answer came), what to record, and whether a retry can help. */
export interface AwsFailure {
  statusCode: number | null;
  error: string;
  retryable: boolean;
  /** A throttle, a service fault, a network error or a timeout: what `retryOn: transient` retries. */
  transient: boolean;
}

/** AWS's names for "slow down", whatever status they come with (SQS answers 400). */
const THROTTLES = /Throttl|TooManyRequests|RequestLimitExceeded|OverLimit/i;

/** Lambda's "an update of the function is in progress" (409): over once the update is. */
const PASSING_CONFLICTS = new Set(['ResourceConflictException']);

/** Whether an AWS service error is one a moment's wait can heal. */
export function isTransientAwsError(status: number, name: string): boolean {
  return status >= 500 || status === 429 || THROTTLES.test(name) || PASSING_CONFLICTS.has(name);
}

/** Errors of the SDK's credential chain: no credentials anywhere, or none that work. A retry cannot find them. */
const CREDENTIAL_ERRORS = new Set(['CredentialsProviderError', 'TokenProviderError']);

/**
 * An SDK error as an attempt outcome: a service error by its type and message (retryable when
 * `retryableService` says so), missing credentials or region (never retryable: configuration),
 * else a local or network failure (retryable).
 */
export function describeAwsFailure(
  err: unknown,
  retryableService: (status: number, name: string) => boolean,
  /** How a call names its region when none is configured, e.g. "use a full function ARN". */
  regionHint: string,
): AwsFailure {
  const { name, message, $metadata, Reason, code } = (err ?? {}) as {
    name?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number };
    Reason?: string;
    code?: string;
  };
  const status = $metadata?.httpStatusCode;
  if (typeof status === 'number') {
    const type = Reason ? `${name} (${Reason})` : (name ?? 'UnknownError');
    return {
      statusCode: status,
      error: `${type}: ${message ?? ''}`,
      retryable: retryableService(status, name ?? ''),
      transient: isTransientAwsError(status, name ?? ''),
    };
  }
  if (message === 'Region is missing')
    return { statusCode: null, error: `no AWS region: set AWS_REGION or ${regionHint}`, retryable: false, transient: false };
  // The credential chain found nothing (or a profile it cannot use): configuration, which no retry mends.
  if (name && CREDENTIAL_ERRORS.has(name)) {
    return {
      statusCode: null,
      error: `no AWS credentials: ${message ?? 'none found'} (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or give the worker a role)`,
      retryable: false,
      transient: false,
    };
  }
  // The SDK wraps what is not an instance of its realm's Error (e.g. a socket error under jest) in this prefix.
  const text = (message ?? String(err)).replace(/^AWS SDK error wrapper for (\w*Error: )?/, '');
  return { statusCode: null, error: code && !text.includes(code) ? `${text}: ${code}` : text, retryable: true, transient: true };
}

/** Rejects as soon as `signal` aborts, whatever `promise` is doing (the SDK's own abort covers only the HTTP exchange). */
export async function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason as Error);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([promise, aborted]);
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
    // The loser of the race settles later; nobody awaits it.
    promise.catch(() => undefined);
    aborted.catch(() => undefined);
  }
}
