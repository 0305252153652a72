import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError } from '@supergraph/errors';
import { InputValidator, recordEvent, uuidv7, type PageArgs } from '@supergraph/subgraph-kit';
import { UserSchema, type User } from './user.entity.js';

export const USERS_STREAM = 'users.users';
const HANDLE = /^[a-z0-9_]{3,30}$/;

export interface CreateUserInput {
  handle: string;
  displayName: string;
  bio?: string | null;
}

export interface UpdateProfileInput {
  displayName?: string | null;
  bio?: string | null;
}

/** Profiles: every write validates its whole input and records its event in the same transaction. */
export class UserService {
  constructor(private readonly em: EntityManager) {}

  page({ first, after }: PageArgs): Promise<User[]> {
    return this.em.find(UserSchema, after ? { id: { $gt: after } } : {}, { orderBy: { id: 'asc' }, limit: first + 1 });
  }

  async create(input: CreateUserInput): Promise<User> {
    const check = new InputValidator();
    const handle = input.handle.trim().toLowerCase();
    check.check(HANDLE.test(handle), 'input.handle', 'must be 3–30 letters, digits or underscores');
    const displayName = check.text('input.displayName', input.displayName, 1, 80);
    const bio = input.bio == null ? null : check.text('input.bio', input.bio, 0, 500) || null;
    check.done();
    if (await this.em.count(UserSchema, { handle }))
      throw AppError.conflict(`The handle "${handle}" is taken`, 'input.handle');
    const now = new Date();
    const user = this.em.create(UserSchema, { id: uuidv7(), handle, displayName, bio, createdAt: now, updatedAt: now });
    recordEvent(this.em, {
      stream: USERS_STREAM,
      type: 'UserCreated',
      aggregateId: user.id,
      payload: { id: user.id, handle },
    });
    await this.em.flush();
    return user;
  }

  async updateProfile(id: string, input: UpdateProfileInput): Promise<User> {
    const check = new InputValidator();
    const displayName =
      input.displayName == null ? undefined : check.text('input.displayName', input.displayName, 1, 80);
    const bio =
      input.bio === undefined
        ? undefined
        : input.bio === null
          ? null
          : check.text('input.bio', input.bio, 0, 500) || null;
    check.done();
    const user = await this.em.findOne(UserSchema, { id });
    if (!user) throw AppError.notFound('User', id);
    if (displayName !== undefined) user.displayName = displayName;
    if (bio !== undefined) user.bio = bio;
    user.updatedAt = new Date();
    recordEvent(this.em, {
      stream: USERS_STREAM,
      type: 'ProfileUpdated',
      aggregateId: user.id,
      payload: { id: user.id },
    });
    await this.em.flush();
    return user;
  }
}
