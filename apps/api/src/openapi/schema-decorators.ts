import { ApiExtension, type SchemaObject } from '@nestjs/swagger';

/**
 * One way of filling a group of mutually exclusive fields: the fields it may carry (the other
 * ways' fields are then absent), those of them it must carry, and any further rule.
 */
export interface OneOfAlternative {
  /** Names the branch in the document, e.g. "HTTP call". */
  title: string;
  fields: readonly string[];
  /** Of `fields`, the ones that must be present (default: none). */
  required?: readonly string[];
  /** Further JSON Schema keywords of a request taking this way (a `not` joins the fields it forbids). */
  schema?: Record<string, unknown>;
}

/** Prefix of the extensions {@link ApiOneOf} writes and the document's completion turns into `oneOf`. */
export const ONE_OF_EXTENSION_PREFIX = 'x-one-of-';
/** The extension {@link ApiSchemaKeywords} writes. */
export const SCHEMA_KEYWORDS_EXTENSION = 'x-schema-keywords';

/**
 * Declares that a request DTO takes exactly one of `alternatives` (add an alternative with no
 * fields for "at most one"). @nestjs/swagger describes a class as one flat object; the document's
 * completion (completeApiDocument) adds the group as a `oneOf`, so that the document says what the
 * validators enforce. `group` names the group: a subclass adds its own groups to those it inherits.
 */
export function ApiOneOf(group: string, alternatives: readonly OneOfAlternative[]): ClassDecorator {
  return ApiExtension(`${ONE_OF_EXTENSION_PREFIX}${group}`, alternatives) as ClassDecorator;
}

/**
 * JSON Schema keywords of a whole DTO that @ApiProperty cannot say, e.g. `minProperties` of a
 * PATCH body. (A subclass inherits them, and cannot replace them.)
 */
export function ApiSchemaKeywords(keywords: Record<string, unknown>): ClassDecorator {
  return ApiExtension(SCHEMA_KEYWORDS_EXTENSION, keywords) as ClassDecorator;
}

/**
 * A response DTO that lists every field the API sends: its schema is closed
 * (`additionalProperties: false`), so a contract test catches a field the document does not have.
 */
export function ApiClosedResponse(): ClassDecorator {
  return ApiSchemaKeywords({ additionalProperties: false });
}

/**
 * The schema of a field that takes any JSON value, for `@ApiProperty({ ...ANY_JSON })`: without
 * it, @nestjs/swagger would describe an `unknown` field as an object.
 */
export const ANY_JSON: { anyOf: SchemaObject[] } = {
  anyOf: ['object', 'array', 'string', 'number', 'boolean', 'null'].map((type) => ({ type })),
};
