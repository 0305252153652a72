import { EntitySchema } from '@mikro-orm/core';

/** An author who reached the removal threshold and was flagged for admin review (once). */
export interface AuthorFlag {
  userId: string;
  removals: number;
  threshold: number;
  flaggedAt: Date;
}

export const AuthorFlagSchema = new EntitySchema<AuthorFlag>({
  name: 'AuthorFlag',
  tableName: 'author_flag',
  properties: {
    userId: { type: 'text', primary: true },
    removals: { type: 'integer' },
    threshold: { type: 'integer' },
    flaggedAt: { type: 'Date', columnType: 'timestamptz' },
  },
});
