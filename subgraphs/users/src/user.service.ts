import type { EntityManager } from '@mikro-orm/postgresql';
import type { Identity, SubjectDenylist } from '@supergraph/auth';
import { AppError } from '@supergraph/errors';
import { InputValidator, isId, recordEvent, uuidv7, type PageArgs } from '@supergraph/subgraph-kit';
import type { IdentityProviderAdmin } from './identity-admin.js';
import { UserAuditSchema, UserSchema, type User, type UserAudit } from './user.entity.js';

export const USERS_STREAM = 'users.users';
const HANDLE = /^[a-z0-9_]{3,30}$/;

export interface CreateUserInput {
  subject?: string | null;
  handle: string;
  displayName: string;
  bio?: string | null;
}

export interface UpdateProfileInput {
  displayName?: string | null;
  bio?: string | null;
}

export interface AccountServices {
  readonly identityAdmin?: IdentityProviderAdmin | undefined;
  readonly denylist?: SubjectDenylist | undefined;
  /** Longest lifetime of an access token; a disabled subject stays denied that long. Default 360 s. */
  readonly tokenLifetimeSeconds?: number | undefined;
}

/** Profiles: every write validates its whole input and records its event in the same transaction. */
export class UserService {
  constructor(
    private readonly em: EntityManager,
    private readonly services: AccountServices = {},
  ) {}

  /** A page in creation order; the cursor's id locates the position. */
  async page({ first, after }: PageArgs): Promise<User[]> {
    if (!after) return this.em.find(UserSchema, {}, { orderBy: { createdAt: 'asc', id: 'asc' }, limit: first + 1 });
    const anchor = await this.em.findOne(UserSchema, { id: after });
    if (!anchor) return [];
    return this.em.find(
      UserSchema,
      { $or: [{ createdAt: { $gt: anchor.createdAt } }, { createdAt: anchor.createdAt, id: { $gt: anchor.id } }] },
      { orderBy: { createdAt: 'asc', id: 'asc' }, limit: first + 1 },
    );
  }

  /** Users moderation flagged for review, oldest flag first; the cursor's user locates the position. */
  async flaggedPage({ first, after }: PageArgs): Promise<User[]> {
    const orderBy = { flaggedForReviewAt: 'asc', id: 'asc' } as const;
    const flagged = { flaggedForReviewAt: { $ne: null } };
    if (!after) return this.em.find(UserSchema, flagged, { orderBy, limit: first + 1 });
    const anchor = await this.em.findOne(UserSchema, { id: after, ...flagged });
    if (!anchor?.flaggedForReviewAt) return [];
    const since = anchor.flaggedForReviewAt;
    return this.em.find(
      UserSchema,
      { $or: [{ flaggedForReviewAt: { $gt: since } }, { flaggedForReviewAt: since, id: { $gt: anchor.id } }] },
      { orderBy, limit: first + 1 },
    );
  }

  async create(input: CreateUserInput, actor?: Identity): Promise<User> {
    const check = new InputValidator();
    const handle = input.handle.trim().toLowerCase();
    check.check(HANDLE.test(handle), 'input.handle', 'must be 3–30 letters, digits or underscores');
    check.check(input.subject == null || isId(input.subject), 'input.subject', 'is not a Keycloak subject');
    const displayName = check.text('input.displayName', input.displayName, 1, 80);
    const bio = input.bio == null ? null : check.text('input.bio', input.bio, 0, 500) || null;
    check.done();
    if (await this.em.count(UserSchema, { handle }))
      throw AppError.conflict(`The handle "${handle}" is taken`, 'input.handle');
    const id = input.subject?.toLowerCase() ?? uuidv7();
    if (await this.em.count(UserSchema, { id }))
      throw AppError.conflict('This subject already has a profile', 'input.subject');
    const user = this.insert({ id, handle, displayName, bio });
    if (actor) this.audit(user.id, 'CREATED', null, actor);
    await this.em.flush();
    return user;
  }

  /**
   * The caller's profile, created on first call from the token (handle from `preferred_username`,
   * made unique). Concurrent first calls converge on one profile.
   */
  async me(identity: Identity): Promise<User | null> {
    if (identity.isServiceAccount || !isId(identity.subject)) return null;
    const id = identity.subject.toLowerCase();
    const existing = await this.em.findOne(UserSchema, { id });
    if (existing) return existing;
    const base = (identity.username ?? 'user')
      .toLowerCase()
      .replace(/[^a-z0-9_]/g, '_')
      .slice(0, 26)
      .padEnd(3, '_');
    for (let attempt = 1; attempt <= 20; attempt += 1) {
      const handle = attempt === 1 ? base : `${base}_${attempt}`;
      if (await this.em.count(UserSchema, { handle })) continue;
      const inserted = await this.em
        .createQueryBuilder(UserSchema)
        .insert({
          id,
          handle,
          displayName: identity.name ?? identity.username ?? handle,
          bio: null,
          followerCount: 0,
          followingCount: 0,
          createdAt: new Date(),
          updatedAt: new Date(),
        })
        .onConflict('id')
        .ignore()
        .execute('run');
      if (inserted.affectedRows === 1) {
        recordEvent(this.em, { stream: USERS_STREAM, type: 'UserCreated', aggregateId: id, payload: { id, handle } });
        await this.em.flush();
      }
      return this.em.findOneOrFail(UserSchema, { id }, { refresh: true });
    }
    throw AppError.conflict('No free handle could be derived from the username');
  }

  /** Updates `targetId`'s profile (default: the caller's, created on first use); policy checked by the caller. */
  async updateProfile(identity: Identity, input: UpdateProfileInput, targetId = identity.subject): Promise<User> {
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
    const own = targetId.toLowerCase() === identity.subject.toLowerCase();
    const user = own
      ? await this.me(identity)
      : isId(targetId)
        ? await this.em.findOne(UserSchema, { id: targetId.toLowerCase() })
        : null;
    if (!user) {
      if (own) throw AppError.forbidden('Service accounts have no profile');
      throw AppError.notFound('User', targetId);
    }
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

  /**
   * Disables the account at the identity provider (ending its sessions), refuses its still-valid
   * tokens at once through the denylist, and records who did it and why.
   */
  async setEnabled(id: string, enabled: boolean, actor: Identity, reason: string | null): Promise<User> {
    if (!enabled) {
      const check = new InputValidator();
      reason = check.text('reason', reason ?? '', 1, 500);
      check.done();
    }
    const user = isId(id) ? await this.em.findOne(UserSchema, { id: id.toLowerCase() }) : null;
    if (!user) throw AppError.notFound('User', id);
    if (!enabled && user.id === actor.subject)
      throw AppError.badUserInput('Admins cannot disable their own account', [
        { field: 'id', message: 'is the caller' },
      ]);
    const { identityAdmin, denylist } = this.services;
    if (!identityAdmin) throw AppError.forbidden('No identity provider administration is configured');
    await identityAdmin.setEnabled(user.id, enabled);
    if (enabled) await denylist?.remove(user.id);
    else await denylist?.add(user.id, this.services.tokenLifetimeSeconds ?? 360);
    user.disabledAt = enabled ? null : new Date();
    user.updatedAt = new Date();
    this.audit(user.id, enabled ? 'ENABLED' : 'DISABLED', reason, actor);
    recordEvent(this.em, {
      stream: USERS_STREAM,
      type: enabled ? 'UserEnabled' : 'UserDisabled',
      aggregateId: user.id,
      payload: { id: user.id },
    });
    await this.em.flush();
    return user;
  }

  /** Each user's audit entries, newest first, for several users in one query (`User.auditLog` per level). */
  async auditLogs(userIds: readonly string[]): Promise<UserAudit[][]> {
    const entries = await this.em.find(
      UserAuditSchema,
      { userId: { $in: [...new Set(userIds)] } },
      { orderBy: { id: 'desc' } },
    );
    const byUser = new Map<string, UserAudit[]>();
    for (const entry of entries) byUser.set(entry.userId, [...(byUser.get(entry.userId) ?? []), entry]);
    return userIds.map((id) => byUser.get(id) ?? []);
  }

  private insert(fields: Pick<User, 'id' | 'handle' | 'displayName' | 'bio'>): User {
    const now = new Date();
    const user = this.em.create(UserSchema, {
      ...fields,
      disabledAt: null,
      followerCount: 0,
      followingCount: 0,
      flaggedForReviewAt: null,
      createdAt: now,
      updatedAt: now,
    });
    recordEvent(this.em, {
      stream: USERS_STREAM,
      type: 'UserCreated',
      aggregateId: user.id,
      payload: { id: user.id, handle: user.handle },
    });
    return user;
  }

  private audit(userId: string, action: UserAudit['action'], reason: string | null, actor: Identity): void {
    this.em.create(UserAuditSchema, {
      id: uuidv7(),
      userId,
      action,
      reason,
      actor: actor.subject,
      createdAt: new Date(),
    });
  }
}
