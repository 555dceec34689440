import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { useAwsEnvironment } from './aws-env';

/** The invocation types the Invoke API accepts (X-Amz-Invocation-Type). */
export type WireInvocationType = 'RequestResponse' | 'Event' | 'DryRun';

/** One request that reached `POST /2015-03-31/functions/{FunctionName}/invocations`. */
export interface RecordedInvocation {
  /** The bare function name, resolved from a name, `name:qualifier`, a full or a partial ARN. */
  functionName: string;
  /** FunctionName exactly as it arrived (URL-decoded). */
  requestedName: string;
  /** From `?Qualifier=` or the name's `:qualifier` suffix; null for none. */
  qualifier: string | null;
  invocationType: WireInvocationType;
  /** X-Amz-Client-Context, base64-decoded and parsed; null when absent. */
  clientContext: unknown;
  /** X-Amz-Log-Type; null when absent. */
  logType: string | null;
  /** The request body as it arrived. */
  payload: string;
  /** The region of the request's SigV4 credential scope; null when unsigned. */
  signedRegion: string | null;
  /** Date.now() when the request's headers arrived. */
  arrivedAt: number;
  /** The HTTP status the target answered. */
  status: number;
}

/** What a fixture function sees as its second argument (a subset of the Node.js runtime's context). */
export interface FixtureContext {
  functionName: string;
  functionVersion: string;
  invokedFunctionArn: string;
  awsRequestId: string;
  /** The client context, for synchronous invocations only (as Lambda does). */
  clientContext: unknown;
  /** Appends a line to the execution log (returned in X-Amz-Log-Result with `X-Amz-Log-Type: Tail`). */
  log(line: string): void;
}

/** A fixture function: its result is the payload; a throw is an Unhandled function error. */
export type FixtureHandler = (event: unknown, context: FixtureContext) => unknown;

/** Returned by a fixture to answer a Handled function error (`X-Amz-Function-Error: Handled`). */
export class HandledFunctionError {
  constructor(
    readonly errorType: string,
    readonly errorMessage: string,
  ) {}
}

/** A Handled function error with this type and message, for a fixture to return. */
export function handledError(errorType: string, errorMessage: string): HandledFunctionError {
  return new HandledFunctionError(errorType, errorMessage);
}

/** A service error the target can be scripted to answer, by name or spelled out. */
export type ScriptedServiceError =
  | 'TooManyRequestsException'
  | 'ServiceException'
  | 'AccessDeniedException'
  | 'ResourceConflictException'
  | 'InvalidRequestContentException'
  | { status: number; type: string; body: Record<string, unknown>; headers?: Record<string, string> };

export interface FixtureOptions {
  /** Published versions besides $LATEST. */
  versions?: string[];
  /** Alias name to the version it points at. */
  aliases?: Record<string, string>;
  /** Wait this long before answering a synchronous invocation (the function is slow). */
  delayMs?: number;
  /** Answer the first `times` invocations with this service error instead of running the function. */
  failFirst?: { times: number; error: ScriptedServiceError };
}

interface Fixture extends FixtureOptions {
  handler: FixtureHandler;
  calls: number;
}

interface ServiceError {
  status: number;
  type: string;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

/** Lambda's limits on the request body: 6 MB synchronously, 1 MB for Event. */
const SYNC_PAYLOAD_LIMIT = 6 * 1024 * 1024;
const EVENT_PAYLOAD_LIMIT = 1024 * 1024;

/** The FunctionName pattern of the Invoke API: name, `name:qualifier`, a full or a partial ARN. */
const FUNCTION_NAME =
  /^(?:arn:aws[a-zA-Z-]*:lambda:([a-z]{2}(?:-gov)?-[a-z]+-\d):(\d{12}):function:|(\d{12}):function:)?([a-zA-Z0-9-_.]+)(?::(\$LATEST|[a-zA-Z0-9-_]+))?$/;
const FUNCTION_NAME_PATTERN_TEXT =
  '(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?';
const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

/**
 * A real HTTP server on loopback that speaks the Lambda Invoke REST protocol as the AWS SDK v3
 * sends and reads it: function names in every form, qualifiers, client context, Event (202) and
 * DryRun (204), function errors (200 + X-Amz-Function-Error) and service errors (status +
 * x-amzn-ErrorType + JSON body), with the bodies and messages the real service answers.
 * It accepts SigV4-signed requests without verifying them, and records every invocation.
 */
export class LambdaTarget {
  private readonly server: Server;
  private readonly fixtures = new Map<string, Fixture>();
  private readonly recorded: RecordedInvocation[] = [];
  /** Timers of slow answers and of Event runs, cleared by stop(). */
  private readonly timers = new Set<NodeJS.Timeout>();

  private constructor(
    readonly region: string,
    readonly accountId: string,
  ) {
    this.server = createServer((req, res) => this.handle(req, res));
  }

  /** Starts a target on a free loopback port; its functions live in `accountId`. */
  static async start(options: { region?: string; accountId?: string } = {}): Promise<LambdaTarget> {
    const target = new LambdaTarget(options.region ?? 'us-east-1', options.accountId ?? '123456789012');
    await new Promise<void>((resolve) => target.server.listen(0, '127.0.0.1', resolve));
    return target;
  }

  /** The endpoint to give the SDK (`endpoint` or AWS_ENDPOINT_URL_LAMBDA). */
  get endpoint(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /** The full ARN of a registered function (in the target's region), optionally qualified. */
  arn(name: string, qualifier?: string, region = this.region): string {
    return `arn:aws:lambda:${region}:${this.accountId}:function:${name}${qualifier ? `:${qualifier}` : ''}`;
  }

  /**
   * Points the AWS SDK's standard environment (AWS_ENDPOINT_URL_LAMBDA, region, static
   * credentials) at this target, as an operator points the worker at an emulator.
   * @returns a function that restores the environment as it was.
   */
  useAsAwsEndpoint(): () => void {
    return useAwsEnvironment({
      AWS_ENDPOINT_URL_LAMBDA: this.endpoint,
      AWS_REGION: this.region,
      AWS_ACCESS_KEY_ID: 'AKIDLOOPBACK',
      AWS_SECRET_ACCESS_KEY: 'loopback-secret',
    });
  }

  /** Registers (or replaces) a function. */
  register(name: string, handler: FixtureHandler, options: FixtureOptions = {}): void {
    this.fixtures.set(name, { ...options, handler, calls: 0 });
  }

  /** The invocations that arrived, in arrival order; only those of `functionName` when given. */
  invocations(functionName?: string): RecordedInvocation[] {
    return this.recorded.filter((r) => functionName === undefined || r.functionName === functionName);
  }

  /** Closes every connection (slow answers in flight go nowhere) and the server. */
  async stop(): Promise<void> {
    this.timers.forEach((timer) => clearTimeout(timer));
    this.timers.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const arrivedAt = Date.now();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void this.invoke(req, Buffer.concat(chunks), arrivedAt)
        .then((answer) => send(res, answer))
        .catch((err: unknown) =>
          send(res, serviceError({ status: 500, type: 'ServiceException', body: { Type: 'Service', Message: String(err) } })),
        );
    });
  }

  private async invoke(req: IncomingMessage, body: Buffer, arrivedAt: number): Promise<Answer> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const match = INVOKE_PATH.exec(url.pathname);
    if (req.method !== 'POST' || !match) {
      return serviceError({ status: 404, type: 'UnknownOperationException', body: { Type: 'User', message: null } });
    }
    const requestedName = decodeURIComponent(match[1]);
    const invocationType = (header(req, 'x-amz-invocation-type') ?? 'RequestResponse') as WireInvocationType;
    const logType = header(req, 'x-amz-log-type');
    const signedRegion = /Credential=[^/]+\/\d{8}\/([^/]+)\/lambda\//.exec(header(req, 'authorization') ?? '')?.[1] ?? null;
    const region = signedRegion ?? this.region;
    const queryQualifier = url.searchParams.get('Qualifier');
    const name = FUNCTION_NAME.exec(requestedName);
    const record: RecordedInvocation = {
      functionName: name?.[4] ?? requestedName,
      requestedName,
      qualifier: queryQualifier ?? name?.[5] ?? null,
      invocationType,
      clientContext: null,
      logType,
      payload: body.toString(),
      signedRegion,
      arrivedAt,
      status: 0,
    };
    this.recorded.push(record);
    const answer = await this.answer(record, name, queryQualifier, region, header(req, 'x-amz-client-context'));
    record.status = answer.status;
    return answer;
  }

  private async answer(
    record: RecordedInvocation,
    name: RegExpExecArray | null,
    queryQualifier: string | null,
    region: string,
    encodedClientContext: string | null,
  ): Promise<Answer> {
    if (!name) {
      return validationError(
        `Value '${record.requestedName}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: ${FUNCTION_NAME_PATTERN_TEXT}`,
      );
    }
    if (!['RequestResponse', 'Event', 'DryRun'].includes(record.invocationType)) {
      return validationError(
        `Value '${record.invocationType}' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]`,
      );
    }
    const nameQualifier = name[5];
    if (nameQualifier !== undefined && queryQualifier !== null && nameQualifier !== queryQualifier) {
      return serviceError({
        status: 400,
        type: 'InvalidParameterValueException',
        body: { Type: 'User', message: 'The derived qualifier from the function name does not match the specified qualifier.' },
      });
    }
    if (encodedClientContext !== null) {
      const decoded = decodeClientContext(encodedClientContext);
      if (decoded === undefined) {
        return serviceError({
          status: 400,
          type: 'InvalidRequestContentException',
          body: { Type: 'User', message: 'Client context must be a valid Base64-encoded JSON object.' },
        });
      }
      record.clientContext = decoded;
    }

    const account = name[2] ?? name[3] ?? this.accountId;
    const qualifier = record.qualifier ?? undefined;
    const fixture = account === this.accountId ? this.fixtures.get(record.functionName) : undefined;
    const executedVersion = fixture ? resolveVersion(fixture, qualifier) : undefined;
    const arn = `arn:aws:lambda:${region}:${account}:function:${record.functionName}${qualifier ? `:${qualifier}` : ''}`;
    if (!fixture || executedVersion === undefined) {
      return serviceError({
        status: 404,
        type: 'ResourceNotFoundException',
        body: { Type: 'User', Message: `Function not found: ${arn}` },
      });
    }

    const size = Buffer.byteLength(record.payload);
    if (record.invocationType === 'Event' && size > EVENT_PAYLOAD_LIMIT) {
      // Event's limit has its own error type, outside the SDK's model of Invoke.
      return serviceError({
        status: 413,
        type: 'RequestEntityTooLargeException',
        body: {
          Type: 'User',
          message: `${size} byte payload is too large for the Event invocation type (limit ${EVENT_PAYLOAD_LIMIT} bytes)`,
        },
      });
    }
    if (size > SYNC_PAYLOAD_LIMIT) {
      return serviceError({
        status: 413,
        type: 'RequestTooLargeException',
        body: { Type: 'User', message: `Request must be smaller than ${SYNC_PAYLOAD_LIMIT} bytes for the InvokeFunction operation` },
      });
    }
    let event: unknown = {};
    if (record.payload !== '') {
      try {
        event = JSON.parse(record.payload);
      } catch (err) {
        return serviceError({
          status: 400,
          type: 'InvalidRequestContentException',
          body: {
            Type: 'User',
            message: `Could not parse request body into json: Could not parse payload into json: ${(err as Error).message}`,
          },
        });
      }
    }

    fixture.calls += 1;
    if (fixture.failFirst && fixture.calls <= fixture.failFirst.times) {
      return serviceError(scripted(fixture.failFirst.error, arn));
    }
    if (record.invocationType === 'DryRun') return { status: 204, headers: {}, body: '' };

    const requestId = randomUUID();
    const logLines: string[] = [];
    const context: FixtureContext = {
      functionName: record.functionName,
      functionVersion: executedVersion,
      invokedFunctionArn: arn,
      awsRequestId: requestId,
      // Lambda passes the client context to synchronous invocations only.
      clientContext: record.invocationType === 'RequestResponse' ? record.clientContext : undefined,
      log: (line) => logLines.push(line),
    };
    if (record.invocationType === 'Event') {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        void runHandler(fixture.handler, event, context);
      }, fixture.delayMs ?? 0);
      this.timers.add(timer);
      return { status: 202, headers: { 'x-amzn-requestid': requestId }, body: '' };
    }

    if (fixture.delayMs) await this.sleep(fixture.delayMs);
    const outcome = await runHandler(fixture.handler, event, context);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'x-amzn-requestid': requestId,
      'x-amz-executed-version': executedVersion,
    };
    if (outcome.functionError) headers['x-amz-function-error'] = outcome.functionError;
    if (record.logType === 'Tail') {
      const log = [`START RequestId: ${requestId} Version: ${executedVersion}`, ...logLines, `END RequestId: ${requestId}`, ''].join('\n');
      headers['x-amz-log-result'] = Buffer.from(log).toString('base64');
    }
    return { status: 200, headers, body: outcome.payload };
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

function send(res: ServerResponse, answer: Answer): void {
  if (res.destroyed) return;
  res.writeHead(answer.status, { ...answer.headers, 'content-length': Buffer.byteLength(answer.body) });
  res.end(answer.body);
}

function header(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  return typeof value === 'string' ? value : null;
}

/** A service error as Lambda answers it: the status, x-amzn-ErrorType and a JSON body. */
function serviceError(error: ServiceError): Answer {
  return {
    status: error.status,
    headers: {
      'content-type': 'application/json',
      'x-amzn-errortype': error.type,
      'x-amzn-requestid': randomUUID(),
      ...error.headers,
    },
    body: JSON.stringify(error.body),
  };
}

/** The input validation error Lambda's front end answers for a value that breaks the API model. */
function validationError(detail: string): Answer {
  return serviceError({ status: 400, type: 'ValidationException', body: { message: `1 validation error detected: ${detail}` } });
}

/** The bodies the real service answers for the errors a test may script. */
function scripted(error: ScriptedServiceError, arn: string): ServiceError {
  if (typeof error !== 'string') return error;
  switch (error) {
    case 'TooManyRequestsException':
      return {
        status: 429,
        type: error,
        headers: { 'retry-after': '1' },
        body: { Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded', Type: 'User', message: 'Rate Exceeded.' },
      };
    case 'ServiceException':
      return { status: 500, type: error, body: { Type: 'Service', Message: 'Lambda encountered an internal error.' } };
    case 'AccessDeniedException':
      return {
        status: 403,
        type: error,
        body: {
          Message: `User: arn:aws:sts::123456789012:assumed-role/scheduler/worker is not authorized to perform: lambda:InvokeFunction on resource: ${arn} because no identity-based policy allows the lambda:InvokeFunction action`,
        },
      };
    case 'ResourceConflictException':
      return {
        status: 409,
        type: error,
        body: { Type: 'User', message: `The operation cannot be performed at this time. An update is in progress for resource: ${arn}` },
      };
    case 'InvalidRequestContentException':
      return {
        status: 400,
        type: error,
        body: {
          Type: 'User',
          message: 'Could not parse request body into json: Could not parse payload into json: Unexpected end-of-input',
        },
      };
  }
}

/** $LATEST for no qualifier, the version itself, or an alias's version; undefined when unknown. */
function resolveVersion(fixture: Fixture, qualifier: string | undefined): string | undefined {
  if (qualifier === undefined || qualifier === '$LATEST') return '$LATEST';
  if (fixture.versions?.includes(qualifier)) return qualifier;
  return fixture.aliases?.[qualifier];
}

/** The decoded client context, or undefined when it is not base64 of a JSON object. */
function decodeClientContext(encoded: string): unknown {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(encoded)) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Runs a fixture as the Node.js runtime would: the result serialized, a throw an Unhandled error. */
async function runHandler(
  handler: FixtureHandler,
  event: unknown,
  context: FixtureContext,
): Promise<{ payload: string; functionError?: 'Handled' | 'Unhandled' }> {
  try {
    const result = await handler(event, context);
    if (result instanceof HandledFunctionError) {
      return {
        payload: JSON.stringify({ errorType: result.errorType, errorMessage: result.errorMessage, trace: [] }),
        functionError: 'Handled',
      };
    }
    // The runtime serializes undefined as null.
    return { payload: JSON.stringify(result ?? null) };
  } catch (err) {
    const error = err instanceof Error ? err : null;
    const payload = {
      errorType: error ? error.name : typeof err,
      errorMessage: error ? error.message : String(err),
      trace: error?.stack?.split('\n') ?? [],
    };
    return { payload: JSON.stringify(payload), functionError: 'Unhandled' };
  }
}
