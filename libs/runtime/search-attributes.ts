import { status } from '@grpc/grpc-js';
import type { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { SEARCH_ATTRIBUTE_DEFINITIONS } from '../../common';

const INDEXED_VALUE_TYPES: Record<string, temporal.api.enums.v1.IndexedValueType> = {
  Keyword: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  Datetime: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
};

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
  const missing = SEARCH_ATTRIBUTE_DEFINITIONS.filter(({ name }) => !(existing as string[]).includes(name));
  if (missing.length === 0) return;
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map(({ name, type }) => [name, INDEXED_VALUE_TYPES[type]])),
  });
}
