import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import {
  buildDeploymentPackage,
  DIRECT_UPLOAD_LIMIT_BYTES,
  handlerProblem,
  PackageError,
  sourceFileName,
  type LambdaRuntime,
} from './lambda-package';

const PYTHON = 'def handler(event, context):\n    return {"statusCode": 200}\n';
const ESM = 'export const handler = async (event) => ({ statusCode: 200, body: JSON.stringify(event) });\n';
const COMMONJS = "const os = require('node:os');\nexports.handler = async () => ({ host: os.hostname() });\n";

const base64Zip = (files: Record<string, string>) =>
  Buffer.from(zipSync(Object.fromEntries(Object.entries(files).map(([name, text]) => [name, strToU8(text)])))).toString('base64');

function files(zip: Uint8Array): Record<string, string> {
  return Object.fromEntries(Object.entries(unzipSync(zip)).map(([name, bytes]) => [name, strFromU8(bytes)]));
}

/** Unix mode and "made by" OS of each entry, from the zip's central directory. */
function modes(zip: Uint8Array): Array<{ os: number; mode: string }> {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const found: Array<{ os: number; mode: string }> = [];
  for (let i = 0; i + 46 <= zip.byteLength; i++) {
    if (view.getUint32(i, true) !== 0x02014b50) continue;
    found.push({ os: view.getUint8(i + 5), mode: (view.getUint32(i + 38, true) >>> 16).toString(8) });
  }
  return found;
}

function packageError(run: () => unknown): { field: string; message: string } {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(PackageError);
    return { field: (err as PackageError).field, message: (err as PackageError).message };
  }
  throw new Error('no PackageError');
}

describe('buildDeploymentPackage', () => {
  it('zips a Python source as the module the handler names, a regular file readable by all', () => {
    const zip = buildDeploymentPackage('python3.12', 'app.handler', { source: PYTHON });
    expect(files(zip)).toEqual({ 'app.py': PYTHON });
    expect(modes(zip)).toEqual([{ os: 3, mode: '100644' }]);
  });

  it('makes the same zip from the same source, so its CodeSha256 is stable', () => {
    const first = buildDeploymentPackage('python3.12', 'app.handler', { source: PYTHON });
    expect(Buffer.from(buildDeploymentPackage('python3.12', 'app.handler', { source: PYTHON })).equals(Buffer.from(first))).toBe(true);
  });

  it('puts a Python handler of a package module in its folder', () => {
    expect(Object.keys(files(buildDeploymentPackage('python3.12', 'jobs.report.run', { source: PYTHON })))).toEqual(['jobs/report.py']);
  });

  it('zips an ES module source as <module>.mjs and a CommonJS one as <module>.js', () => {
    expect(files(buildDeploymentPackage('nodejs20.x', 'index.handler', { source: ESM }))).toEqual({ 'index.mjs': ESM });
    expect(files(buildDeploymentPackage('nodejs20.x', 'app.handler', { source: COMMONJS }))).toEqual({ 'app.js': COMMONJS });
    expect(Object.keys(files(buildDeploymentPackage('nodejs20.x', 'src/app.handler', { source: ESM })))).toEqual(['src/app.mjs']);
  });

  it('refuses a source for java21, which needs compiled classes', () => {
    expect(
      packageError(() => buildDeploymentPackage('java21', 'com.example.Handler::handleRequest', { source: 'class Handler {}' })),
    ).toEqual({
      field: 'code.source',
      message: 'code.source is for nodejs20.x and python3.12 only; give java21 code as code.zipBase64',
    });
  });

  it('passes a given zip through unchanged when it holds the handler module', () => {
    const zipBase64 = base64Zip({ 'app.py': PYTHON, 'lib/util.py': '' });
    expect(Buffer.from(buildDeploymentPackage('python3.12', 'app.handler', { zipBase64 })).toString('base64')).toBe(zipBase64);
    expect(buildDeploymentPackage('nodejs20.x', 'index.handler', { zipBase64: base64Zip({ 'index.cjs': COMMONJS }) })).toBeInstanceOf(
      Uint8Array,
    );
    expect(buildDeploymentPackage('nodejs20.x', 'lib.handler', { zipBase64: base64Zip({ 'lib/index.js': COMMONJS }) })).toBeInstanceOf(
      Uint8Array,
    );
  });

  it('takes any zip or jar for java21', () => {
    const zipBase64 = base64Zip({ 'com/example/Handler.class': '\xca\xfe\xba\xbe' });
    expect(buildDeploymentPackage('java21', 'com.example.Handler::handleRequest', { zipBase64 })).toHaveLength(
      Buffer.from(zipBase64, 'base64').length,
    );
  });

  it("refuses a zip without the handler's module, saying what it holds", () => {
    expect(
      packageError(() => buildDeploymentPackage('python3.12', 'app.handler', { zipBase64: base64Zip({ 'main.py': PYTHON }) })),
    ).toEqual({
      field: 'code.zipBase64',
      message: 'handler app.handler needs app.py in the zip, which holds main.py',
    });
    expect(packageError(() => buildDeploymentPackage('nodejs20.x', 'index.handler', { zipBase64: base64Zip({}) }))).toEqual({
      field: 'code.zipBase64',
      message: 'handler index.handler needs index.js or index.mjs or index.cjs in the zip, which holds nothing',
    });
  });

  it('refuses bytes that are not a zip', () => {
    const zipBase64 = Buffer.from('just some text, not a zip file at all').toString('base64');
    const { field, message } = packageError(() => buildDeploymentPackage('python3.12', 'app.handler', { zipBase64 }));
    expect(field).toBe('code.zipBase64');
    expect(message).toMatch(/^code\.zipBase64 is not a zip file \(.+\)$/);
  });

  it("refuses a zip over Lambda's direct-upload limit", () => {
    const zipBase64 = Buffer.alloc(DIRECT_UPLOAD_LIMIT_BYTES + 1).toString('base64');
    expect(packageError(() => buildDeploymentPackage('java21', 'com.example.Handler', { zipBase64 }))).toEqual({
      field: 'code.zipBase64',
      message: 'the zip is 52428801 bytes; Lambda takes at most 52428800 bytes uploaded directly',
    });
  });

  it('refuses both code forms together, and neither', () => {
    const both = { source: PYTHON, zipBase64: base64Zip({ 'app.py': PYTHON }) };
    const expected = { field: 'code', message: 'code must have exactly one of zipBase64 and source' };
    expect(packageError(() => buildDeploymentPackage('python3.12', 'app.handler', both))).toEqual(expected);
    expect(packageError(() => buildDeploymentPackage('python3.12', 'app.handler', {}))).toEqual(expected);
  });

  it('refuses a handler the runtime cannot load before looking at the code', () => {
    expect(packageError(() => buildDeploymentPackage('python3.12', 'handler', { source: PYTHON }))).toEqual({
      field: 'handler',
      message: 'handler must be a python3.12 handler of at most 128 characters, e.g. app.handler or pkg.app.handler',
    });
  });
});

describe('handlerProblem', () => {
  const accepted: Array<[LambdaRuntime, string]> = [
    ['nodejs20.x', 'index.handler'],
    ['nodejs20.x', 'src/app.handler'],
    ['nodejs20.x', 'app.handlers.main'],
    ['python3.12', 'app.handler'],
    ['python3.12', 'pkg.app.handler'],
    ['python3.12', 'pkg/app.handler'],
    ['java21', 'com.example.Handler'],
    ['java21', 'com.example.Handler::handleRequest'],
  ];
  it.each(accepted)('accepts the %s handler %s', (runtime, handler) => {
    expect(handlerProblem(runtime, handler)).toBeNull();
  });

  const refused: Array<[LambdaRuntime, string]> = [
    ['nodejs20.x', 'index'],
    ['nodejs20.x', '../app.handler'],
    ['nodejs20.x', 'app.handler()'],
    ['python3.12', 'app'],
    ['python3.12', '1app.handler'],
    ['python3.12', 'app.handler ; rm'],
    ['java21', 'com.example.Handler::'],
    ['java21', 'com/example/Handler'],
  ];
  it.each(refused)('refuses the %s handler %s', (runtime, handler) => {
    expect(handlerProblem(runtime, handler)).toMatch(
      new RegExp(`^handler must be a ${runtime.replace('.', '\\.')} handler of at most 128 characters, e\\.g\\. `),
    );
  });

  it('refuses a handler over 128 characters', () => {
    expect(handlerProblem('python3.12', `${'a'.repeat(120)}.handler`)).toBeNull();
    expect(handlerProblem('python3.12', `${'a'.repeat(121)}.handler`)).toBe(
      'handler must be a python3.12 handler of at most 128 characters, e.g. app.handler or pkg.app.handler',
    );
  });
});

describe('sourceFileName', () => {
  it('names a Node.js source with neither import nor export nor require .mjs', () => {
    expect(sourceFileName('nodejs20.x', 'app.handler', 'const handler = () => 1;')).toBe('app.mjs');
  });

  it('names a Node.js source that imports .mjs even when it also mentions require(', () => {
    expect(
      sourceFileName(
        'nodejs20.x',
        'app.handler',
        "import { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);\nrequire('x');",
      ),
    ).toBe('app.mjs');
  });
});
