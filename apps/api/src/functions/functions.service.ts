import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import {
  AddPermissionCommand,
  CreateFunctionCommand,
  CreateFunctionUrlConfigCommand,
  DeleteFunctionCommand,
  GetFunctionConfigurationCommand,
  LambdaClient,
  waitUntilFunctionActiveV2,
  type FunctionConfiguration,
  type GetFunctionCommandOutput,
} from '@aws-sdk/client-lambda';
import { InvalidRequestError, UnavailableError, UpstreamError, WrongStateError } from '../core/errors';
import type { CreateFunctionDto, FunctionUrlMode } from './dto/create-function.dto';
import type { FunctionResponseDto } from './dto/function-response.dto';
import { buildDeploymentPackage, PackageError, type LambdaRuntime } from './lambda-package';

/** Injection token of the LambdaClient the functions are deployed with (tests point it at an endpoint). */
export const LAMBDA_CLIENT = Symbol('LAMBDA_CLIENT');

/** How long a new function may stay Pending before the deployment is given up (and undone). */
export const ACTIVE_WAIT_S = 120;

/** The function URL auth type of each mode. */
const URL_AUTH_TYPES = { iam: 'AWS_IAM', public: 'NONE' } as const;

/**
 * Deploys Lambda functions from code: CreateFunction, wait until Active, then the function URL
 * if asked. A deployment that fails after CreateFunction is undone (the function is deleted),
 * so a refused request leaves nothing behind and can simply be sent again.
 */
@Injectable()
export class FunctionsService implements OnModuleDestroy {
  private readonly logger = new Logger(FunctionsService.name);

  constructor(@Inject(LAMBDA_CLIENT) private readonly lambda: LambdaClient) {}

  async create(dto: CreateFunctionDto): Promise<FunctionResponseDto> {
    const zip = packageOf(dto.runtime, dto.handler, dto.code);
    let created: FunctionConfiguration;
    try {
      created = await this.lambda.send(
        new CreateFunctionCommand({
          FunctionName: dto.name,
          Runtime: dto.runtime,
          Handler: dto.handler,
          Role: dto.roleArn,
          Code: { ZipFile: zip },
          MemorySize: dto.memoryMb,
          Timeout: dto.timeoutS,
        }),
      );
    } catch (err) {
      throw refusal(err);
    }

    try {
      const active = await this.waitUntilActive(dto.name);
      const functionUrl = await this.createUrl(dto.name, dto.functionUrl ?? 'none');
      return {
        name: dto.name,
        arn: active.FunctionArn ?? created.FunctionArn ?? '',
        runtime: dto.runtime,
        handler: dto.handler,
        state: active.State ?? 'Active',
        functionUrl,
        ...(created.Version ? { version: created.Version } : {}),
      };
    } catch (err) {
      await this.undo(dto.name);
      throw refusal(err);
    }
  }

  onModuleDestroy(): void {
    this.lambda.destroy();
  }

  /** The SDK's waiter, which polls GetFunction until the state is Active; when it gives up, the configuration says why. */
  private async waitUntilActive(name: string): Promise<FunctionConfiguration> {
    try {
      // On success the waiter's reason is GetFunction's answer (its types leave it open).
      const result = (await waitUntilFunctionActiveV2(
        { client: this.lambda, maxWaitTime: ACTIVE_WAIT_S, minDelay: 1, maxDelay: 5 },
        { FunctionName: name },
      )) as { reason?: GetFunctionCommandOutput };
      return result.reason?.Configuration ?? {};
    } catch {
      const configuration = await this.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name })).catch(() => undefined);
      if (configuration?.State === 'Failed') {
        throw new InvalidRequestError(
          `function ${name} failed to become Active: ${configuration.StateReasonCode}: ${configuration.StateReason}`,
        );
      }
      throw new UnavailableError(
        `function ${name} did not become Active within ${ACTIVE_WAIT_S} s (state ${configuration?.State ?? 'unknown'}); try again`,
      );
    }
  }

  /** The function URL for `mode`; for public, the two permissions Lambda requires of a URL anyone may call. */
  private async createUrl(name: string, mode: FunctionUrlMode): Promise<string | null> {
    if (mode === 'none') return null;
    const { FunctionUrl } = await this.lambda.send(
      new CreateFunctionUrlConfigCommand({ FunctionName: name, AuthType: URL_AUTH_TYPES[mode] }),
    );
    if (mode === 'public') {
      await this.lambda.send(
        new AddPermissionCommand({
          FunctionName: name,
          StatementId: 'FunctionURLAllowPublicAccess',
          Action: 'lambda:InvokeFunctionUrl',
          Principal: '*',
          FunctionUrlAuthType: 'NONE',
        }),
      );
      // Since October 2025 a new function URL also needs lambda:InvokeFunction, limited to calls through the URL.
      await this.lambda.send(
        new AddPermissionCommand({
          FunctionName: name,
          StatementId: 'FunctionURLInvokeAllowPublicAccess',
          Action: 'lambda:InvokeFunction',
          Principal: '*',
          InvokedViaFunctionUrl: true,
        }),
      );
    }
    return FunctionUrl ?? null;
  }

  /** Deletes a function whose deployment (or what was made with it) failed halfway; a failure here is logged, not thrown over the first. */
  async undo(name: string): Promise<void> {
    try {
      await this.lambda.send(new DeleteFunctionCommand({ FunctionName: name }));
    } catch (err) {
      this.logger.error(`could not delete ${name} after its deployment failed: ${(err as Error).message}`);
    }
  }
}

/** The deployment package, or a 400 naming the field at fault. */
function packageOf(runtime: LambdaRuntime, handler: string, code: CreateFunctionDto['code']): Uint8Array {
  try {
    return buildDeploymentPackage(runtime, handler, code);
  } catch (err) {
    if (err instanceof PackageError) throw new InvalidRequestError(err.message, err.field);
    throw err;
  }
}

/**
 * AWS's answer as the API's: a name taken 409, another refusal of the request (a role Lambda
 * cannot assume, a bad zip) 400 with AWS's message, throttling or Lambda's own fault 503, and
 * Lambda refusing the API itself (its credentials, or none, or no region) 502 saying why.
 */
function refusal(err: unknown): unknown {
  const { name, message, $metadata } = (err ?? {}) as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = $metadata?.httpStatusCode;
  if (status === undefined) {
    if (name === 'CredentialsProviderError' || message === 'Region is missing') {
      return new UpstreamError(`the API cannot reach Lambda: ${message ?? name}; give it AWS credentials and a region (AWS_REGION)`);
    }
    return err;
  }
  if (status === 409) return new WrongStateError(message ?? 'conflict');
  if (status === 429 || status >= 500)
    return new UnavailableError(`Lambda could not take the request now (${name}: ${message}); try again`);
  if (status === 403 || status === 401) {
    return new UpstreamError(`Lambda refused the API's own credentials (${name}: ${message}); check the API's AWS role or keys`);
  }
  return new InvalidRequestError(message ?? String(name));
}
