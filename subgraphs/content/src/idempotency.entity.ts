import { EntitySchema } from '@mikro-orm/core';

/**
 * A create mutation's idempotency key: a retry by the same caller with the same key and the same input
 * returns the item first created; the same key with another input is a CONFLICT.
 */
export interface IdempotencyKey {
  subject: string;
  /** The mutation, e.g. `createPost`: one key may be reused across different mutations. */
  operation: string;
  key: string;
  /** SHA-256 of the normalised input. */
  requestHash: string;
  resultId: string;
  createdAt: Date;
}

export const IdempotencyKeySchema = new EntitySchema<IdempotencyKey>({
  name: 'IdempotencyKey',
  tableName: 'idempotency_key',
  properties: {
    subject: { type: 'uuid', primary: true },
    operation: { type: 'text', primary: true },
    key: { type: 'text', primary: true },
    requestHash: { type: 'text' },
    resultId: { type: 'uuid' },
    createdAt: { type: 'Date', columnType: 'timestamptz' },
  },
});
