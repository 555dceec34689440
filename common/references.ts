/**
 * Data between calls: a call of an orchestration may use what an earlier call answered, with
 * `{{calls.<id>.status}}` or `{{calls.<id>.body.<path>}}` in its url, header values, body
 * strings, Lambda payload strings or SQS message body strings. A string that is only the reference takes the JSON value
 * itself; one inside a longer string is stringified (percent-encoded inside a url).
 * Plain types and pure functions only: this file is bundled into workflow code.
 */
import { isLambdaRequest, isSqsRequest, type CallRequestSpec } from './call';
import type { HttpRequestSpec } from './http';

/** One reference found in a call. */
export interface CallReference {
  /** As written, e.g. `{{calls.reserve.body.items.0.sku}}`. */
  text: string;
  /** The id of the call it refers to. */
  id: string;
  /** `status`, or `body` with a path (empty: the whole body). */
  field: 'status' | 'body';
  path: string[];
}

/** What a referred call left for later ones: its status code and its body (kept whole up to REFERENCED_BODY_LIMIT_BYTES). */
export interface CallOutput {
  status: number;
  body: unknown;
  /** True when the body was longer than kept: a path into it finds nothing. */
  bodyTruncated?: boolean;
}

/** Response bodies that later calls refer to are kept whole up to this many bytes (the resource's display cut stays as it is). */
export const REFERENCED_BODY_LIMIT_BYTES = 256 * 1024;

const REFERENCE = /\{\{\s*calls\.([a-z][a-z0-9_]{0,39})\.(status|body)((?:\.[^.{}\s]+)*)\s*\}\}/g;
/** Anything that looks meant as a reference (`{{ calls.` ...), to tell a malformed one from plain text. */
const LOOKS_LIKE_REFERENCE = /\{\{\s*calls\./;

/** Every reference in a string, and the malformed ones (text that starts like one but is not). */
export function referencesInText(text: string): { references: CallReference[]; malformed: boolean } {
  const references: CallReference[] = [];
  const rest = text.replace(REFERENCE, (match: string, id: string, field: 'status' | 'body', path: string) => {
    references.push({ text: match, id, field, path: path ? path.slice(1).split('.') : [] });
    return '';
  });
  return { references, malformed: LOOKS_LIKE_REFERENCE.test(rest) };
}

/** Where a call may hold references, each with the strings found there: `url`, `headers.x`, `body...`, `lambda.payload...`, `sqs.messageBody...`. */
export function referenceSites(request: CallRequestSpec): Array<{ where: string; text: string }> {
  const sites: Array<{ where: string; text: string }> = [];
  const walk = (value: unknown, where: string) => {
    if (typeof value === 'string') sites.push({ where, text: value });
    else if (Array.isArray(value)) value.forEach((item, i) => walk(item, `${where}[${i}]`));
    else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value as Record<string, unknown>)) walk(item, `${where}.${key}`);
    }
  };
  if (isLambdaRequest(request)) {
    walk(request.lambda.payload, 'lambda.payload');
    return sites;
  }
  if (isSqsRequest(request)) {
    walk(request.sqs.messageBody, 'sqs.messageBody');
    return sites;
  }
  sites.push({ where: 'url', text: request.url });
  for (const [name, value] of Object.entries(request.headers)) sites.push({ where: `headers.${name}`, text: value });
  walk(request.body, 'body');
  return sites;
}

/** Every reference a call holds, wherever it is. */
export function referencesOf(request: CallRequestSpec): CallReference[] {
  return referenceSites(request).flatMap((site) => referencesInText(site.text).references);
}

/** The value a reference finds in an output, or undefined when there is none. */
function lookUp(reference: CallReference, output: CallOutput | undefined): unknown {
  if (!output) return undefined;
  if (reference.field === 'status') return output.status;
  if (output.bodyTruncated && reference.path.length > 0) return undefined;
  let value: unknown = output.body;
  for (const part of reference.path) {
    if (Array.isArray(value) && /^\d+$/.test(part)) value = value[Number(part)];
    else if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.hasOwn(value, part)) {
      value = (value as Record<string, unknown>)[part];
    } else return undefined;
  }
  return value;
}

/** Why a reference found nothing, naming it. */
function nothingFound(reference: CallReference, output: CallOutput | undefined): string {
  if (!output) return `reference ${reference.text} found nothing: call ${reference.id} has not answered`;
  if (output.bodyTruncated)
    return `reference ${reference.text} found nothing: the body of call ${reference.id} was cut at ${REFERENCED_BODY_LIMIT_BYTES} bytes`;
  return `reference ${reference.text} found nothing in the answer of call ${reference.id}`;
}

const asText = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));

/**
 * A string with its references replaced: the JSON value itself when the string is one reference
 * alone (`asJson`), else the values as text (`encode` applied to each).
 */
function resolveText(
  text: string,
  outputs: (id: string) => CallOutput | undefined,
  { asJson, encode }: { asJson: boolean; encode?: (text: string) => string },
): { value: unknown } | { error: string } {
  const { references } = referencesInText(text);
  if (references.length === 0) return { value: text };
  const found: unknown[] = [];
  for (const reference of references) {
    const value = lookUp(reference, outputs(reference.id));
    if (value === undefined) return { error: nothingFound(reference, outputs(reference.id)) };
    found.push(value);
  }
  if (references.length === 1 && references[0].text === text) {
    return { value: asJson ? found[0] : asText(found[0]) };
  }
  let i = 0;
  return { value: text.replace(REFERENCE, () => (encode ?? ((t: string) => t))(asText(found[i++]))) };
}

/** A JSON value with the references in its strings resolved. */
function resolveJson(value: unknown, outputs: (id: string) => CallOutput | undefined): { value: unknown } | { error: string } {
  if (typeof value === 'string') return resolveText(value, outputs, { asJson: true });
  if (Array.isArray(value)) {
    const items: unknown[] = [];
    for (const item of value) {
      const resolved = resolveJson(item, outputs);
      if ('error' in resolved) return resolved;
      items.push(resolved.value);
    }
    return { value: items };
  }
  if (value !== null && typeof value === 'object') {
    const entries: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      const resolved = resolveJson(item, outputs);
      if ('error' in resolved) return resolved;
      entries[key] = resolved.value;
    }
    return { value: entries };
  }
  return { value };
}

/** Header values may not hold control characters (but tab): a value a reference brings in is checked like one the user gave. */
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * The call with every reference resolved from `outputs`, or why it cannot be made: a reference
 * that finds nothing (naming it), or a url or header value that is no longer one.
 */
export function resolveCall(
  request: CallRequestSpec,
  outputs: (id: string) => CallOutput | undefined,
): { request: CallRequestSpec } | { error: string } {
  if (referencesOf(request).length === 0) return { request };
  if (isLambdaRequest(request)) {
    if (request.lambda.payload === undefined) return { request };
    const payload = resolveJson(request.lambda.payload, outputs);
    return 'error' in payload ? payload : { request: { ...request, lambda: { ...request.lambda, payload: payload.value } } };
  }
  if (isSqsRequest(request)) {
    const messageBody = resolveJson(request.sqs.messageBody, outputs);
    return 'error' in messageBody ? messageBody : { request: { ...request, sqs: { ...request.sqs, messageBody: messageBody.value } } };
  }
  const url = resolveText(request.url, outputs, { asJson: false, encode: encodeURIComponent });
  if ('error' in url) return url;
  if (!/^https?:\/\/[^/?#\s]+/i.test(url.value as string))
    return { error: `url ${request.url} resolved to ${asText(url.value)}, not an http or https URL` };
  const headers: Record<string, string> = {};
  for (const [name, text] of Object.entries(request.headers)) {
    const value = resolveText(text, outputs, { asJson: false });
    if ('error' in value) return value;
    if (!HEADER_VALUE.test(value.value as string)) return { error: `header ${name} resolved to a value with control characters` };
    headers[name] = value.value as string;
  }
  const resolved: HttpRequestSpec = { ...request, url: url.value as string, headers };
  if (request.body !== undefined) {
    const body = resolveJson(request.body, outputs);
    if ('error' in body) return body;
    resolved.body = body.value;
  }
  return { request: resolved };
}
