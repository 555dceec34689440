import type { INestApplication } from '@nestjs/common';
import { SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { ONE_OF_EXTENSION_PREFIX, SCHEMA_KEYWORDS_EXTENSION, type OneOfAlternative } from './schema-decorators';

type Schema = Record<string, unknown>;

/** What holds for every operation, said once in the document's description. */
export const CONVENTIONS =
  'Conventions: a request body has exactly the fields its schema lists (an unknown field is a 400, and null is taken only ' +
  'where a field is nullable); query parameters an operation does not list are ignored; a method a path does not have ' +
  'answers 405 with `Allow`; every error answers an `ErrorBody`.';

/**
 * The API's OpenAPI document: @nestjs/swagger's, as OpenAPI 3.1 (JSON Schema 2020-12, which can
 * say `propertyNames`, `null` and closed alternatives), completed by {@link completeApiDocument}.
 * `config` is DocumentBuilder's output.
 */
export function createApiDocument(app: INestApplication, config: Omit<OpenAPIObject, 'paths'>): OpenAPIObject {
  return completeApiDocument(SwaggerModule.createDocument(app, { ...config, openapi: '3.1.0' }));
}

/**
 * Says in the document what the decorators cannot (the document is changed in place and returned):
 * - the {@link CONVENTIONS} every operation follows;
 * - a DTO marked with @ApiOneOf takes exactly one alternative of each of its groups (e.g. an HTTP
 *   call or a Lambda invocation; at runAt, after delayMs or now);
 * - @ApiSchemaKeywords' keywords join their schema;
 * - every object a request body takes is closed (`additionalProperties: false`): the global
 *   validation pipe refuses unknown fields.
 */
export function completeApiDocument(document: OpenAPIObject): OpenAPIObject {
  document.info.description = [document.info.description, CONVENTIONS].filter(Boolean).join('\n\n');
  const schemas = (document.components?.schemas ?? {}) as Record<string, Schema>;
  for (const schema of Object.values(schemas)) {
    const keywords = schema[SCHEMA_KEYWORDS_EXTENSION] as Schema | undefined;
    delete schema[SCHEMA_KEYWORDS_EXTENSION];
    expandOneOf(schema);
    Object.assign(schema, keywords);
  }
  for (const name of requestSchemaNames(document, schemas)) closeObject(schemas[name]);
  return document;
}

/**
 * Adds a schema's @ApiOneOf groups to it: each group becomes a `oneOf` of its alternatives, each
 * alternative requiring its own required fields and forbidding the other alternatives' fields
 * (the schema's properties stay where they are, so that each field is described, and checked,
 * once). One group is the schema's `oneOf`; several are an `allOf` of `oneOf`s.
 */
function expandOneOf(schema: Schema): void {
  const groups = Object.keys(schema)
    .filter((key) => key.startsWith(ONE_OF_EXTENSION_PREFIX))
    .sort()
    .map((key) => {
      const alternatives = schema[key] as OneOfAlternative[];
      delete schema[key];
      return { oneOf: alternatives.map((alternative) => branch(alternative, alternatives)) };
    });
  if (groups.length === 1) schema.oneOf = groups[0].oneOf;
  else if (groups.length > 1) schema.allOf = [...((schema.allOf as Schema[] | undefined) ?? []), ...groups];
}

/** One alternative of a group, as a schema: its required fields, no field of another alternative, and its own rules. */
function branch(alternative: OneOfAlternative, group: OneOfAlternative[]): Schema {
  const { not: ownNot, ...ownRules } = alternative.schema ?? {};
  const forbidden = [
    ...group.filter((other) => other !== alternative).flatMap((other) => other.fields.map((field) => ({ required: [field] }))),
    ...(ownNot ? [ownNot] : []),
  ];
  return {
    title: alternative.title,
    ...(alternative.required?.length ? { required: [...alternative.required] } : {}),
    ...(forbidden.length === 1 ? { not: forbidden[0] } : forbidden.length > 1 ? { not: { anyOf: forbidden } } : {}),
    ...ownRules,
  };
}

/** The component schemas a request body reaches, directly or through other schemas. */
function requestSchemaNames(document: OpenAPIObject, schemas: Record<string, Schema>): Set<string> {
  const found = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (node === null || typeof node !== 'object') return;
    const ref = (node as { $ref?: unknown }).$ref;
    if (typeof ref === 'string' && ref.startsWith('#/components/schemas/')) {
      const name = ref.slice('#/components/schemas/'.length);
      if (!found.has(name) && schemas[name]) {
        found.add(name);
        visit(schemas[name]);
      }
    }
    for (const [key, value] of Object.entries(node)) if (key !== 'example' && key !== 'examples') visit(value);
  };
  for (const item of Object.values(document.paths)) {
    for (const operation of Object.values(item as Record<string, { requestBody?: unknown }>)) {
      if (operation && typeof operation === 'object') visit(operation.requestBody);
    }
  }
  return found;
}

/** `additionalProperties: false` on an object schema that lists its properties and says nothing of others. */
function closeObject(schema: Schema): void {
  if (schema.type === 'object' && schema.properties && schema.additionalProperties === undefined) schema.additionalProperties = false;
}
