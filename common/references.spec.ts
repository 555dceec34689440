import { referencesInText, referencesOf, resolveCall, type CallOutput } from './references';
import type { HttpRequestSpec } from './http';

const outputs: Record<string, CallOutput> = {
  quote: { status: 201, body: { price: 12.5, lines: [{ sku: 'A 1', qty: 2 }], note: null } },
  big: { status: 200, body: '{"cut', bodyTruncated: true },
};
const lookup = (id: string) => outputs[id];
const http = (extra: Partial<HttpRequestSpec>): HttpRequestSpec => ({
  url: 'https://x.example/',
  method: 'POST',
  headers: {},
  timeoutMs: 1000,
  ...extra,
});

describe('references between calls', () => {
  it('finds each reference with its id, field and path, and tells a malformed one from plain text', () => {
    expect(referencesInText('a {{calls.quote.body.lines.0.sku}} and {{ calls.quote.status }}')).toEqual({
      references: [
        { text: '{{calls.quote.body.lines.0.sku}}', id: 'quote', field: 'body', path: ['lines', '0', 'sku'] },
        { text: '{{ calls.quote.status }}', id: 'quote', field: 'status', path: [] },
      ],
      malformed: false,
    });
    expect(referencesInText('{{calls.quote.headers}}').malformed).toBe(true);
    expect(referencesInText('{{calls.Quote.status}}').malformed).toBe(true);
    expect(referencesInText('{{ other }} and {{calls}}')).toEqual({ references: [], malformed: false });
  });

  it('looks in the url, header values, body strings and Lambda payload strings', () => {
    const ids = (r: ReturnType<typeof referencesOf>) => r.map((x) => x.text);
    expect(
      ids(
        referencesOf(
          http({ url: 'https://x.example/{{calls.a.status}}', headers: { h: '{{calls.b.body}}' }, body: { deep: ['{{calls.c.body.x}}'] } }),
        ),
      ),
    ).toEqual(['{{calls.a.status}}', '{{calls.b.body}}', '{{calls.c.body.x}}']);
    expect(
      ids(
        referencesOf({ lambda: { function: 'f', invocationType: 'RequestResponse', payload: { p: '{{calls.d.status}}' } }, timeoutMs: 1 }),
      ),
    ).toEqual(['{{calls.d.status}}']);
  });

  it('keeps the JSON type of a whole-string reference, stringifies one in a longer string, percent-encodes it in a url', () => {
    const resolved = resolveCall(
      http({
        url: 'https://x.example/items/{{calls.quote.body.lines.0.sku}}?p={{calls.quote.body.price}}',
        headers: { 'x-status': '{{calls.quote.status}}', 'x-line': '{{calls.quote.body.lines.0}}' },
        body: {
          qty: '{{calls.quote.body.lines.0.qty}}',
          note: '{{calls.quote.body.note}}',
          text: 'price {{calls.quote.body.price}} EUR',
          all: '{{calls.quote.body.lines}}',
        },
      }),
      lookup,
    );
    expect(resolved).toEqual({
      request: http({
        url: 'https://x.example/items/A%201?p=12.5',
        headers: { 'x-status': '201', 'x-line': '{"sku":"A 1","qty":2}' },
        body: { qty: 2, note: null, text: 'price 12.5 EUR', all: [{ sku: 'A 1', qty: 2 }] },
      }),
    });
  });

  it('says, naming the reference, when it finds nothing', () => {
    expect(resolveCall(http({ body: '{{calls.quote.body.lines.5.sku}}' }), lookup)).toEqual({
      error: 'reference {{calls.quote.body.lines.5.sku}} found nothing in the answer of call quote',
    });
    expect(resolveCall(http({ body: '{{calls.none.status}}' }), lookup)).toEqual({
      error: 'reference {{calls.none.status}} found nothing: call none has not answered',
    });
    expect(resolveCall(http({ body: '{{calls.big.body.x}}' }), lookup)).toEqual({
      error: 'reference {{calls.big.body.x}} found nothing: the body of call big was cut at 262144 bytes',
    });
    expect(resolveCall(http({ url: '{{calls.quote.body.price}}' }), lookup)).toEqual({
      error: 'url {{calls.quote.body.price}} resolved to 12.5, not an http or https URL',
    });
    expect(resolveCall(http({ body: { p: '{{calls.quote.body.toString}}' } }), lookup)).toEqual({
      error: 'reference {{calls.quote.body.toString}} found nothing in the answer of call quote',
    });
  });

  it('leaves a call without references as it is (the same object)', () => {
    const request = http({ body: { a: 1 } });
    expect(resolveCall(request, lookup)).toEqual({ request });
    expect((resolveCall(request, lookup) as { request: HttpRequestSpec }).request).toBe(request);
  });
});
