import { status } from '@grpc/grpc-js';
import type { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { SearchAttr } from '../../common';

const { IndexedValueType } = temporal.api.enums.v1;

/**
 * Registers this project's custom search attributes on a server that lacks them (the
 * time-skipping test server, or a cluster set up by hand). Already-registered ones are kept.
 */
export async function registerSearchAttributes(connection: Connection, namespace: string): Promise<void> {
  // The time-skipping test server implements adding search attributes but not listing them.
  const existing = await connection.operatorService.listSearchAttributes({ namespace }).then(
    (response) => Object.keys(response.customAttributes ?? {}),
    (err: { code?: number }) => {
      if (err.code === status.UNIMPLEMENTED) return [];
      throw err;
    },
  );
  const missing = Object.values(SearchAttr).filter(({ name }) => !(existing as string[]).includes(name));
  if (missing.length === 0) return;
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map(({ name, type }) => [name, IndexedValueType[`INDEXED_VALUE_TYPE_${type}`]])),
  });
}
