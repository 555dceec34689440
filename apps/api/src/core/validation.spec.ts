import type { ValidationError } from '@nestjs/common';
import { flattenValidationErrors } from './validation';

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
