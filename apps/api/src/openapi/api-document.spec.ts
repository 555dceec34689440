import type { OpenAPIObject } from '@nestjs/swagger';
import { completeApiDocument, CONVENTIONS } from './api-document';
import { ONE_OF_EXTENSION_PREFIX, SCHEMA_KEYWORDS_EXTENSION, type OneOfAlternative } from './schema-decorators';

const TARGET: OneOfAlternative[] = [
  { title: 'HTTP call', fields: ['url', 'method'], required: ['url'], schema: { not: { required: ['method', 'body'] } } },
  { title: 'Lambda invocation', fields: ['lambda'], required: ['lambda'] },
];
const TIMING: OneOfAlternative[] = [
  { title: 'at runAt', fields: ['runAt'], required: ['runAt'] },
  { title: 'now', fields: [] },
];

/** A document as @nestjs/swagger makes it: a creation taking `Create`, which nests `Nested`, answering `Answer`. */
function document(create: Record<string, unknown>): OpenAPIObject {
  const body = (name: string) => ({ content: { 'application/json': { schema: { $ref: `#/components/schemas/${name}` } } } });
  return {
    openapi: '3.1.0',
    info: { title: 't', version: '1' },
    paths: {
      '/things': {
        post: { requestBody: { required: true, ...body('Create') }, responses: { '201': { description: '', ...body('Answer') } } },
      },
    },
    components: {
      schemas: {
        Create: create,
        Nested: {
          type: 'object',
          properties: { a: { type: 'string' }, map: { type: 'object', additionalProperties: { type: 'string' } } },
        },
        Answer: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
      },
    },
  };
}

const schemas = (doc: OpenAPIObject) => doc.components!.schemas as Record<string, Record<string, unknown>>;

describe('completeApiDocument', () => {
  it('turns one @ApiOneOf group into a oneOf: each alternative requires its fields and forbids the others', () => {
    const doc = completeApiDocument(
      document({
        type: 'object',
        properties: { url: {}, method: {}, body: {}, lambda: {}, timeoutMs: {} },
        [`${ONE_OF_EXTENSION_PREFIX}target`]: TARGET,
      }),
    );
    expect(schemas(doc).Create).toEqual({
      type: 'object',
      properties: { url: {}, method: {}, body: {}, lambda: {}, timeoutMs: {} },
      additionalProperties: false,
      oneOf: [
        { title: 'HTTP call', required: ['url'], not: { anyOf: [{ required: ['lambda'] }, { required: ['method', 'body'] }] } },
        { title: 'Lambda invocation', required: ['lambda'], not: { anyOf: [{ required: ['url'] }, { required: ['method'] }] } },
      ],
    });
  });

  it('makes several groups an allOf of oneOfs, and an alternative with no fields "none of the others"', () => {
    const doc = completeApiDocument(
      document({
        type: 'object',
        properties: { url: {}, lambda: {}, runAt: {} },
        required: ['url'],
        [`${ONE_OF_EXTENSION_PREFIX}timing`]: TIMING,
        [`${ONE_OF_EXTENSION_PREFIX}target`]: TARGET,
      }),
    );
    const create = schemas(doc).Create;
    expect(create.oneOf).toBeUndefined();
    expect(create.required).toEqual(['url']);
    expect(create.allOf).toEqual([
      { oneOf: [expect.objectContaining({ title: 'HTTP call' }), expect.objectContaining({ title: 'Lambda invocation' })] },
      {
        oneOf: [
          { title: 'at runAt', required: ['runAt'] },
          { title: 'now', not: { required: ['runAt'] } },
        ],
      },
    ]);
    expect(Object.keys(create).filter((key) => key.startsWith('x-'))).toEqual([]);
  });

  it('adds the conventions every operation follows to the description', () => {
    const doc = completeApiDocument(document({ type: 'object' }));
    expect(doc.info.description).toBe(CONVENTIONS);
  });

  it("adds @ApiSchemaKeywords' keywords to their schema", () => {
    const doc = completeApiDocument(document({ type: 'object', properties: { a: {} }, [SCHEMA_KEYWORDS_EXTENSION]: { minProperties: 1 } }));
    expect(schemas(doc).Create).toEqual({ type: 'object', properties: { a: {} }, minProperties: 1, additionalProperties: false });
  });

  it('closes every object a request body reaches, through references too; leaves maps and answers open', () => {
    const doc = completeApiDocument(
      document({ type: 'object', properties: { nested: { allOf: [{ $ref: '#/components/schemas/Nested' }] }, list: { type: 'array' } } }),
    );
    expect(schemas(doc).Create.additionalProperties).toBe(false);
    expect(schemas(doc).Nested.additionalProperties).toBe(false);
    expect((schemas(doc).Nested.properties as Record<string, Record<string, unknown>>).map.additionalProperties).toEqual({
      type: 'string',
    });
    expect(schemas(doc).Answer.additionalProperties).toBeUndefined();
  });
});
