import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { AppError, errorCodesMarkdown, maskError } from '@supergraph/errors';

describe('error registry', () => {
  it('docs/errors.md is generated from the registry (run `npm run errors:docs` after changing codes)', () => {
    const docs = readFileSync(
      path.resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../docs/errors.md'),
      'utf8',
    );
    expect(docs).toBe(errorCodesMarkdown());
  });

  it('factories carry their code and field details', () => {
    expect(AppError.invalidField('first', 'must be between 1 and 100').toJSON()).toEqual({
      message: 'Invalid value for first: must be between 1 and 100',
      extensions: {
        code: 'BAD_USER_INPUT',
        field: 'first',
        problems: [{ field: 'first', message: 'must be between 1 and 100' }],
      },
    });
    expect(AppError.notFound('User', 'x').extensions).toEqual({ code: 'NOT_FOUND', type: 'User', id: 'x' });
  });
});

describe('maskError', () => {
  it('passes registered codes through without stack traces', () => {
    const masked = maskError({ message: 'Invalid', extensions: { code: 'BAD_USER_INPUT', stacktrace: ['at x'] } });
    expect(masked).toEqual({ message: 'Invalid', extensions: { code: 'BAD_USER_INPUT' } });
  });

  it('hides anything unregistered behind INTERNAL_SERVER_ERROR and reports the original', () => {
    const seen: unknown[] = [];
    const masked = maskError(
      { message: 'relation "users"."user" does not exist', path: ['user'], extensions: { code: 'SOMETHING' } },
      (original) => seen.push(original.message),
    );
    expect(masked).toEqual({
      message: 'Internal server error',
      path: ['user'],
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
    expect(seen).toEqual(['relation "users"."user" does not exist']);
  });
});
