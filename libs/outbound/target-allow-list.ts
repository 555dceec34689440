/**
 * Which Lambda functions (`LAMBDA_ALLOW`) and SQS queues (`SQS_ALLOW`) a caller may target:
 * comma-separated globs over ARNs, names or (SQS) queue URLs, `{owner}` standing for the caller's
 * `sub`. The worker's AWS role may reach far more than any one user should.
 */

/** The kinds of call target an allow-list governs. */
export type AllowListedTarget = 'lambda' | 'sqs';

/** The variable that holds each kind's globs, for messages and the README. */
export const ALLOW_LIST_VARIABLE: Readonly<Record<AllowListedTarget, string>> = { lambda: 'LAMBDA_ALLOW', sqs: 'SQS_ALLOW' };

/**
 * The forms a target is matched in; a glob matches when it matches any of them.
 * - lambda: the function as given without its qualifier (`report`, `123456789012:function:report`,
 *   `arn:aws:lambda:eu-central-1:123456789012:function:report`, the `:live` of each dropped).
 * - sqs: the queue URL as given, its ARN (`arn:aws:sqs:<region>:<account>:<name>`, when the URL is
 *   an AWS queue URL) and its name (the URL's last path segment).
 */
export function targetForms(kind: AllowListedTarget, value: string): string[] {
  if (kind === 'lambda') return [unqualifiedFunction(value)];
  return [value, ...sqsForms(value)];
}

/** `name:alias` -> `name`; an ARN or partial ARN keeps everything up to the function's name. */
function unqualifiedFunction(value: string): string {
  const parts = value.split(':');
  const at = parts.indexOf('function');
  if (at >= 0) return parts.slice(0, at + 2).join(':');
  return parts[0];
}

/** The ARN and the name of the queue a URL names (`https://sqs.eu-central-1.amazonaws.com/123456789012/jobs`). */
function sqsForms(queueUrl: string): string[] {
  let url: URL;
  try {
    url = new URL(queueUrl);
  } catch {
    return [];
  }
  const [account, name, ...rest] = url.pathname.split('/').filter((segment) => segment !== '');
  if (!account || !name || rest.length > 0) return name ? [name] : [];
  const region =
    /^sqs\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/.exec(url.hostname)?.[1] ?? /^([a-z0-9-]+)\.queue\.amazonaws\.com$/.exec(url.hostname)?.[1];
  return region && /^\d{12}$/.test(account) ? [`arn:aws:sqs:${region}:${account}:${name}`, name] : [name];
}

/**
 * True when `glob` (with `{owner}` already in it) matches `text`: `*` stands for any run of
 * characters but `:` and `/` (so it stays within one ARN or URL segment), `?` for one of them;
 * a glob that is `*` alone matches everything.
 */
export function globMatches(glob: string, text: string): boolean {
  if (glob === '*') return true;
  const pattern = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '[^:/]*')
    .replace(/\?/g, '[^:/]');
  return new RegExp(`^${pattern}$`).test(text);
}

/**
 * Null when `owner` may target `value` under `globs`; else why not, e.g.
 * `function report is not one this user may invoke (LAMBDA_ALLOW)`.
 */
export function targetRefusal(kind: AllowListedTarget, value: string, owner: string, globs: readonly string[]): string | null {
  const what = kind === 'lambda' ? `function ${value}` : `queue ${value}`;
  const variable = ALLOW_LIST_VARIABLE[kind];
  if (globs.length === 0) return `${what} is not allowed: ${variable} allows no ${kind === 'lambda' ? 'Lambda function' : 'SQS queue'} yet`;
  const forms = targetForms(kind, value);
  // {owner} is the caller's sub, taken literally: a sub holding '*' must not widen the glob.
  const literalOwner = owner.replace(/[*?]/g, '\u0000');
  const allowed = globs.some((glob) => {
    const withOwner = glob.split('{owner}').join(literalOwner);
    return forms.some((form) => globMatches(withOwner, form.replace(/[*?]/g, '\u0000')));
  });
  return allowed ? null : `${what} is not one this user may ${kind === 'lambda' ? 'invoke' : 'send to'} (${variable})`;
}
