import type { ValidationError } from '@nestjs/common';
import { PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, ValidateNested } from 'class-validator';
import type { NextFunction, Request, Response } from 'express';
import { requestScope, setScopedCaller } from './request-context';
import {
  CallTarget,
  CallUrl,
  createValidationPipe,
  flattenValidationErrors,
  IsHeaderRecord,
  IsHttpUrl,
  MaxChars,
  Omittable,
} from './validation';
import { PUBLIC_ONLY } from '../../../../libs/outbound';

describe('flattenValidationErrors', () => {
  it('names nested and array fields by their path', () => {
    const errors: ValidationError[] = [
      { property: 'url', constraints: { isUrl: 'url must be an http or https URL' }, children: [] },
      {
        property: 'steps',
        children: [
          { property: '0', children: [{ property: 'timeoutMs', constraints: { min: 'timeoutMs must not be less than 1' }, children: [] }] },
        ],
      },
    ];
    expect(flattenValidationErrors(errors)).toEqual([
      { field: 'url', messages: ['url must be an http or https URL'] },
      { field: 'steps[0].timeoutMs', messages: ['timeoutMs must not be less than 1'] },
    ]);
  });
});

class Call {
  @IsHttpUrl()
  @CallUrl()
  url!: string;

  @Omittable()
  @IsInt()
  retries?: number;

  @Omittable()
  @MaxChars(3)
  name?: string;
}

/** PATCH bodies are mapped types of the create DTOs: they keep the call-target marks. */
class PatchCall extends PartialType(Call) {}

class Invocation {
  @IsString()
  @CallTarget('lambda')
  function!: string;
}

class Step {
  @ValidateNested()
  @Type(() => Invocation)
  lambda!: Invocation;
}

class Steps {
  @ValidateNested({ each: true })
  @Type(() => Step)
  steps!: Step[];
}

class Page {
  @IsOptional()
  @IsInt()
  limit?: number;
}

class Headers {
  @IsHeaderRecord()
  headers!: Record<string, string>;
}

/** The global pipe, with loopback not allowed, as in production. */
const pipe = createValidationPipe({ outbound: PUBLIC_ONLY, targets: { lambda: ['*'], sqs: [] } });

/** The pipe's answer to `value` as a body (or query) of class `type`: the value it passes on, or the 400's errors. */
async function validated(value: unknown, type: 'body' | 'query', metatype: new () => object, using = pipe): Promise<unknown> {
  try {
    return await using.transform(value, { type, metatype });
  } catch (err) {
    return (err as { getResponse(): { errors: unknown } }).getResponse().errors;
  }
}

/** {@link validated} inside a request whose verified caller is `sub`, as the auth guard leaves it. */
function validatedAs(
  sub: string,
  value: unknown,
  metatype: new () => object,
  using: ReturnType<typeof createValidationPipe>,
): Promise<unknown> {
  return new Promise((resolve) => {
    const next: NextFunction = () => {
      setScopedCaller({ sub, admin: false });
      resolve(validated(value, 'body', metatype, using));
    };
    requestScope()({} as Request, {} as Response, next);
  });
}

describe('the validation pipe', () => {
  it('refuses unknown body fields, naming them', async () => {
    expect(await validated({ url: 'https://a.example/', surprise: 1 }, 'body', Call)).toEqual([
      { field: 'surprise', messages: ['property surprise should not exist'] },
    ]);
  });

  it('drops unknown query parameters: OpenAPI cannot say a query takes no others', async () => {
    expect(await validated({ limit: 5, cache: 'no' }, 'query', Page)).toEqual(Object.assign(new Page(), { limit: 5 }));
  });

  it('refuses null for a field that may only be left out', async () => {
    expect(await validated({ url: 'https://a.example/', retries: null }, 'body', Call)).toEqual([
      { field: 'retries', messages: ['retries must be an integer number'] },
    ]);
  });

  it('counts characters as JSON Schema does: code points', async () => {
    expect(await validated({ url: 'https://a.example/', name: '😀😀😀' }, 'body', Call)).toEqual(
      Object.assign(new Call(), { url: 'https://a.example/', name: '😀😀😀' }),
    );
    expect(await validated({ url: 'https://a.example/', name: 'abcd' }, 'body', Call)).toEqual([
      { field: 'name', messages: ['name must be shorter than or equal to 3 characters'] },
    ]);
  });

  it('refuses a URL outside the syntax, and a refused destination by its address instead', async () => {
    expect(await validated({ url: 'http://a.1/' }, 'body', Call)).toEqual([
      { field: 'url', messages: ['url must be an http or https URL'] },
    ]);
    expect(await validated({ url: 'http://0xa9fea9fe/' }, 'body', Call)).toEqual([
      { field: 'url', messages: ['destination not allowed: 169.254.169.254 (linkLocal)'] },
    ]);
  });

  it('runs the same destination checks on a PATCH body (a mapped type of the create DTO)', async () => {
    expect(await validated({ url: 'http://169.254.169.254/latest/meta-data/' }, 'body', PatchCall)).toEqual([
      { field: 'url', messages: ['destination not allowed: 169.254.169.254 (linkLocal)'] },
    ]);
    expect(await validated({ url: 'http://metadata.google.internal/' }, 'body', PatchCall)).toEqual([
      { field: 'url', messages: ['destination not allowed: metadata.google.internal (cloud metadata)'] },
    ]);
  });

  it('refuses header names that are not tokens, the empty name too', async () => {
    expect(await validated({ headers: { 'x-api-key': 'k', '': '' } }, 'body', Headers)).toEqual([
      { field: 'headers', messages: ['headers has names that are not header names: ""'] },
    ]);
    expect(await validated({ headers: { 'a b': '1', 'x-ok': '2', 'c:d': '3' } }, 'body', Headers)).toEqual([
      { field: 'headers', messages: ['headers has names that are not header names: "a b", "c:d"'] },
    ]);
    expect(await validated({ headers: { 'x-ok': 'v' } }, 'body', Headers)).toEqual(
      Object.assign(new Headers(), { headers: { 'x-ok': 'v' } }),
    );
  });

  it("checks Lambda targets against the caller's LAMBDA_ALLOW, naming each refused one by path", async () => {
    const ownOnly = createValidationPipe({ outbound: PUBLIC_ONLY, targets: { lambda: ['{owner}-*'], sqs: [] } });
    const body = { steps: [{ lambda: { function: 'alice-a' } }, { lambda: { function: 'bob-b' } }] };
    expect(await validatedAs('alice', body, Steps, ownOnly)).toEqual([
      { field: 'steps[1].lambda.function', messages: ['function bob-b is not one this user may invoke (LAMBDA_ALLOW)'] },
    ]);
    expect(await validatedAs('bob', { steps: [{ lambda: { function: 'bob-b' } }] }, Steps, ownOnly)).toBeInstanceOf(Steps);
  });
});
