import { strToU8, unzipSync, zipSync } from 'fflate';

/** The runtimes functions can be deployed with. */
export const LAMBDA_RUNTIMES = ['nodejs20.x', 'python3.12', 'java21'] as const;
export type LambdaRuntime = (typeof LAMBDA_RUNTIMES)[number];

/** The runtimes whose code may be given as one source file. */
export const SOURCE_RUNTIMES: readonly LambdaRuntime[] = ['nodejs20.x', 'python3.12'];

/** Lambda's limit on a deployment package uploaded directly (CreateFunction's ZipFile). */
export const DIRECT_UPLOAD_LIMIT_BYTES = 50 * 1024 * 1024;

/** Lambda's limit on the length of a handler. */
export const HANDLER_MAX_LENGTH = 128;

/** The function's code: a zip, or (Node.js and Python) the source of a single file. */
export interface FunctionCode {
  zipBase64?: string;
  source?: string;
}

/** Why no package can be built from the request: the field at fault and what is wrong with it. */
export class PackageError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'PackageError';
  }
}

/**
 * Handler forms, as each runtime's bootstrap reads them. Node.js splits at the first dot:
 * `src/app.handler` is export `handler` of src/app.(m|c)js. Python splits at the last dot:
 * `pkg.app.handler` is function `handler` of pkg/app.py. Java names a class, optionally `::method`.
 */
const HANDLER_FORMS: Record<LambdaRuntime, { pattern: RegExp; example: string }> = {
  'nodejs20.x': { pattern: /^[\w-]+(\/[\w-]+)*\.[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/, example: 'index.handler or src/app.handler' },
  'python3.12': { pattern: /^[A-Za-z_]\w*([./][A-Za-z_]\w*)*\.[A-Za-z_]\w*$/, example: 'app.handler or pkg.app.handler' },
  java21: { pattern: /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*(::[A-Za-z_$][\w$]*)?$/, example: 'com.example.Handler::handleRequest' },
};

/** What is wrong with `handler` for `runtime`, or null when it is a handler that runtime can load. */
export function handlerProblem(runtime: LambdaRuntime, handler: string): string | null {
  const form = HANDLER_FORMS[runtime];
  if (handler.length > 0 && handler.length <= HANDLER_MAX_LENGTH && form.pattern.test(handler)) return null;
  return `handler must be a ${runtime} handler of at most ${HANDLER_MAX_LENGTH} characters, e.g. ${form.example}`;
}

/** The module path a Node.js or Python handler loads, without extension (`src/app.handler` → `src/app`). */
function modulePath(runtime: LambdaRuntime, handler: string): string {
  if (runtime === 'python3.12') return handler.slice(0, handler.lastIndexOf('.')).replace(/\./g, '/');
  return handler.slice(0, handler.indexOf('.'));
}

/**
 * The file a single source becomes: `<module>.py` for Python; for Node.js `<module>.mjs`, or
 * `<module>.js` when the source is CommonJS (the runtime loads a .js file as CommonJS).
 */
export function sourceFileName(runtime: LambdaRuntime, handler: string, source: string): string {
  const module = modulePath(runtime, handler);
  if (runtime === 'python3.12') return `${module}.py`;
  const isEsm = /^\s*(export\s|import\s*[\w{*'"])/m.test(source);
  const isCommonJs = /\b(module\.exports|exports\.[A-Za-z_$][\w$]*)\s*=|\brequire\(/.test(source);
  return isCommonJs && !isEsm ? `${module}.js` : `${module}.mjs`;
}

/** Fixed, so that one source always makes the same zip (and the same CodeSha256). */
const ZIP_MTIME = new Date(2000, 0, 1);
/** A regular file readable by everyone: Lambda runs the code as a user other than the owner. */
const ZIP_FILE_ATTRS = { os: 3, attrs: 0o100644 << 16, mtime: ZIP_MTIME };

/**
 * The deployment package of a function: the given zip, checked (a zip, within Lambda's
 * direct-upload limit, holding the handler's module for Node.js and Python), or a zip made of
 * the single source file named from the handler. Throws PackageError naming the bad field.
 */
export function buildDeploymentPackage(runtime: LambdaRuntime, handler: string, code: FunctionCode): Uint8Array {
  const problem = handlerProblem(runtime, handler);
  if (problem) throw new PackageError('handler', problem);
  if ((code.zipBase64 === undefined) === (code.source === undefined)) {
    throw new PackageError('code', 'code must have exactly one of zipBase64 and source');
  }
  if (code.source !== undefined) {
    if (!SOURCE_RUNTIMES.includes(runtime)) {
      throw new PackageError(
        'code.source',
        `code.source is for ${SOURCE_RUNTIMES.join(' and ')} only; give ${runtime} code as code.zipBase64`,
      );
    }
    const fileName = sourceFileName(runtime, handler, code.source);
    return zipSync({ [fileName]: [strToU8(code.source), ZIP_FILE_ATTRS] }, { level: 9 });
  }

  const zip = Buffer.from(code.zipBase64 ?? '', 'base64');
  if (zip.byteLength > DIRECT_UPLOAD_LIMIT_BYTES) {
    throw new PackageError(
      'code.zipBase64',
      `the zip is ${zip.byteLength} bytes; Lambda takes at most ${DIRECT_UPLOAD_LIMIT_BYTES} bytes uploaded directly`,
    );
  }
  const names = zipEntryNames(zip);
  if (runtime !== 'java21') {
    const module = modulePath(runtime, handler);
    const files = runtime === 'python3.12' ? [`${module}.py`] : ['js', 'mjs', 'cjs'].map((ext) => `${module}.${ext}`);
    const hasModule = names.some((name) => files.includes(name) || name.startsWith(`${module}/`));
    if (!hasModule) {
      const listed = names.length > 10 ? `${names.slice(0, 10).join(', ')}, ...` : names.join(', ') || 'nothing';
      throw new PackageError('code.zipBase64', `handler ${handler} needs ${files.join(' or ')} in the zip, which holds ${listed}`);
    }
  }
  return zip;
}

/** The names of a zip's entries, without inflating them; PackageError when it is not a zip. */
function zipEntryNames(zip: Uint8Array): string[] {
  const names: string[] = [];
  try {
    unzipSync(zip, {
      filter: (file) => {
        names.push(file.name);
        return false;
      },
    });
  } catch (err) {
    throw new PackageError('code.zipBase64', `code.zipBase64 is not a zip file (${(err as Error).message})`);
  }
  return names;
}
