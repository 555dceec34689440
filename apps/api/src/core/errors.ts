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

/** A dependency (Temporal, the worker) did not answer in time (503). */
export class UnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnavailableError';
  }
}
