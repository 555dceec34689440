import { DEFAULT_CALLBACK_ON, type CallbackSpec, type CallbackState, type RunExtras, type Tags } from '../../../../common';
import type { CallDto } from './call.dto';
import { toCallView, toRequestSpec, toRetrySpec } from './call.mapper';
import type { CallbackDto, CallbackResponseDto } from './run-extras.dto';

/** A callback as the DTO gives it; its body (payload, message) is filled in with the run's outcome when it is made. */
export function toCallbackSpec(dto: CallbackDto): CallbackSpec {
  const call = { ...dto, ...(dto.sqs ? { sqs: { ...dto.sqs, messageBody: null } } : {}) } as CallDto;
  return { request: toRequestSpec(call), retry: toRetrySpec(call), on: dto.on ?? [...DEFAULT_CALLBACK_ON] };
}

/** Tags and a callback as a creating request gives them (only those given). */
export function toRunExtras(dto: { tags?: Tags; callback?: CallbackDto }): Pick<RunExtras, 'tags'> & { callback?: CallbackSpec } {
  return {
    ...(dto.tags && Object.keys(dto.tags).length > 0 ? { tags: dto.tags } : {}),
    ...(dto.callback ? { callback: toCallbackSpec(dto.callback) } : {}),
  };
}

/** A callback and how it went, as the resource shows it (without the body: that is the run's outcome). */
export function toCallbackView(callback: CallbackState): CallbackResponseDto {
  const view = toCallView(callback.request) as Record<string, unknown>;
  delete view.body;
  if (view.lambda) view.lambda = { ...view.lambda, payload: undefined };
  if (view.sqs) view.sqs = { ...view.sqs, messageBody: undefined };
  return {
    ...(JSON.parse(JSON.stringify(view)) as object),
    on: callback.on,
    retries: callback.retry.retries,
    retryIntervalMs: callback.retry.retryIntervalMs,
    retryBackoff: callback.retry.retryBackoff,
    status: callback.status,
    attempts: callback.attempts,
    result: callback.result,
  } as CallbackResponseDto;
}

/** What every run's resource shows beside its calls: tags, callback, the run it retries. */
export function toRunExtrasView(state: RunExtras): { tags: Tags; callback: CallbackResponseDto | null; retryOf: string | null } {
  return { tags: state.tags ?? {}, callback: state.callback ? toCallbackView(state.callback) : null, retryOf: state.retryOf ?? null };
}
