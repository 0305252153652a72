import { EntitySchema } from '@mikro-orm/core';

export interface User {
  id: string;
  /** Lower-case; unique. */
  handle: string;
  displayName: string;
  bio: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export const UserSchema = new EntitySchema<User>({
  name: 'User',
  tableName: 'user',
  properties: {
    id: { type: 'uuid', primary: true },
    handle: { type: 'text', unique: 'user_handle_unique' },
    displayName: { type: 'text' },
    bio: { type: 'text', nullable: true },
    createdAt: { type: 'Date', columnType: 'timestamptz' },
    updatedAt: { type: 'Date', columnType: 'timestamptz' },
  },
});
