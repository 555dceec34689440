/** A resource that does not exist, or that belongs to another user (both answer 404). */
export class ResourceNotFoundError extends Error {
  constructor(resource: string, id: string) {
    super(`${resource} ${id} not found`);
    this.name = 'ResourceNotFoundError';
  }
}

/** The caller is known but may not do this (403). */
export class ForbiddenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ForbiddenError';
  }
}

/** The resource exists but is not in a state that allows the request (409). */
export class WrongStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WrongStateError';
  }
}

/** The request is well-formed but cannot be carried out as asked (400). */
export class InvalidRequestError extends Error {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'InvalidRequestError';
  }
}

/** Fields that pass their own validation but not the rules that hold between them (400, each named by path). */
export class InvalidFieldsError extends InvalidRequestError {
  constructor(readonly errors: Array<{ field: string; messages: string[] }>) {
    super(`invalid request: ${errors.map((e) => e.field).join(', ')}`);
    this.name = 'InvalidFieldsError';
  }
}

/** The request is too large to keep (413): e.g. more than Temporal takes in one workflow input. */
export class TooLargeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TooLargeError';
  }
}

/** A service the API depends on (AWS Lambda) refused the API itself, e.g. its credentials (502). */
export class UpstreamError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UpstreamError';
  }
}

/** A dependency (Temporal, the worker) did not answer in time (503). */
export class UnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnavailableError';
  }
}
