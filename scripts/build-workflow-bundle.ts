/** Prebuilds the workflow bundle the worker loads in production (WORKFLOW_BUNDLE_PATH). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { WORKFLOWS_SOURCE_PATH } from '../apps/worker/src/task-worker';
import { FAILURE_CONVERTER_PATH } from '../libs/codec';
import { projectRoot } from '../libs/runtime/paths';

/** Where `npm run build` writes the bundle. */
const DEFAULT_BUNDLE_PATH = join(projectRoot(), 'dist', 'workflow-bundle.js');

/**
 * Bundles `workflows/` (from source, not from build output) into `outputPath`, with the failure
 * converter that encodes failure messages and stack traces (the payload codec then encrypts them).
 */
export async function buildWorkflowBundle(outputPath = DEFAULT_BUNDLE_PATH): Promise<string> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_SOURCE_PATH,
    failureConverterPath: FAILURE_CONVERTER_PATH,
    logger: new DefaultLogger('WARN'),
  });
  writeFileSync(outputPath, code);
  return outputPath;
}

if (require.main === module) {
  buildWorkflowBundle(process.argv[2]).then(
    (path) => console.log(`workflow bundle: ${path}`),
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
