import { DefaultFailureConverter } from '@temporalio/common';

/**
 * The failure converter of every client, worker and workflow bundle of this product (loaded by
 * path: the workflow sandbox bundles it). Failure messages and stack traces go into an encoded
 * attribute, so the payload codec encrypts them like any other payload; the failure itself reads
 * "Encoded failure" in Temporal's store. Failures written before read as they are.
 */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
