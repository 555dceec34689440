import { createHash, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { useAwsEnvironment } from './aws-env';

/** One SendMessage that reached the target. */
export interface RecordedMessage {
  queueUrl: string;
  body: string;
  attributes: Record<string, string>;
  arrivedAt: number;
  status: number;
}

/** A service error the target answers, as SQS's JSON protocol sends it. */
export interface SqsError {
  status: number;
  /** e.g. `AWS.SimpleQueueService.NonExistentQueue`, `ThrottlingException`, `InternalError`. */
  code: string;
  message: string;
}

/**
 * A real HTTP server on loopback that speaks SQS's JSON protocol for SendMessage (what
 * @aws-sdk/client-sqs sends: `X-Amz-Target: AmazonSQS.SendMessage`), records each message and
 * answers as a test scripts it: the error paths moto cannot produce (throttles, faults).
 */
export class SqsTarget {
  private readonly server: Server;
  private readonly recorded: RecordedMessage[] = [];
  private script: (n: number) => SqsError | null = () => null;

  private constructor(readonly region: string) {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const arrivedAt = Date.now();
        const input = JSON.parse(Buffer.concat(chunks).toString() || '{}') as {
          QueueUrl?: string;
          MessageBody?: string;
          MessageAttributes?: Record<string, { StringValue?: string }>;
        };
        const error = this.script(this.recorded.length);
        const status = error?.status ?? 200;
        this.recorded.push({
          queueUrl: input.QueueUrl ?? '',
          body: input.MessageBody ?? '',
          attributes: Object.fromEntries(Object.entries(input.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue ?? ''])),
          arrivedAt,
          status,
        });
        if (error) {
          res.writeHead(error.status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-query-error': `${error.code};Sender` });
          res.end(JSON.stringify({ __type: `com.amazonaws.sqs#${error.code}`, message: error.message }));
          return;
        }
        const md5 = createHash('md5')
          .update(input.MessageBody ?? '')
          .digest('hex');
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(JSON.stringify({ MessageId: randomUUID(), MD5OfMessageBody: md5 }));
      });
    });
  }

  static async start(region = 'eu-west-1'): Promise<SqsTarget> {
    const target = new SqsTarget(region);
    await new Promise<void>((resolve) => target.server.listen(0, '127.0.0.1', resolve));
    return target;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /**
   * Points the AWS SDK's standard environment (AWS_ENDPOINT_URL_SQS, region, static credentials)
   * at this target, as an operator points the worker at an emulator.
   * @returns a function that restores the environment as it was.
   */
  useAsAwsEndpoint(): () => void {
    return useAwsEnvironment({
      AWS_ENDPOINT_URL_SQS: this.endpoint,
      AWS_REGION: this.region,
      AWS_ACCESS_KEY_ID: 'AKIDLOOPBACK',
      AWS_SECRET_ACCESS_KEY: 'loopback-secret',
    });
  }

  /** Answers the n-th (0-based) SendMessage with the error `script` returns, or accepts it (null). */
  answer(script: (n: number) => SqsError | null): void {
    this.script = script;
  }

  messages(): RecordedMessage[] {
    return [...this.recorded];
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
