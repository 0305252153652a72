import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError } from '@supergraph/errors';
import { isId, recordEvent, uuidv7, type PageArgs } from '@supergraph/subgraph-kit';
import { audit } from './audit.js';
import { ModerationCaseSchema, type Decision, type ModerationCase } from './case.entity.js';
import type { ModerationConfig } from './config.js';
import { changeStatus, flagAuthorIfNeeded, lockItem } from './content-status.js';
import type { ContentItem, ModerationStatus } from './content-item.entity.js';
import { ContentReportSchema } from './report.entity.js';

export const CASES_STREAM = 'moderation.cases';
const OPEN = { $ne: 'CLOSED' } as const;

/** The case as `ModerationCaseUpdated` carries it (JSON: times as ISO strings). */
export type CasePayload = {
  [K in keyof ModerationCase]: ModerationCase[K] extends Date
    ? string
    : ModerationCase[K] extends Date | null
      ? string | null
      : ModerationCase[K];
};

export function caseToPayload(moderationCase: ModerationCase): CasePayload {
  const iso = (date: Date | null) => date?.toISOString() ?? null;
  return {
    ...moderationCase,
    claimedAt: iso(moderationCase.claimedAt),
    decidedAt: iso(moderationCase.decidedAt),
    openedAt: moderationCase.openedAt.toISOString(),
    updatedAt: moderationCase.updatedAt.toISOString(),
  };
}

export function caseFromPayload(payload: CasePayload): ModerationCase {
  const date = (iso: string | null) => (iso === null ? null : new Date(iso));
  return {
    ...payload,
    claimedAt: date(payload.claimedAt),
    decidedAt: date(payload.decidedAt),
    openedAt: new Date(payload.openedAt),
    updatedAt: new Date(payload.updatedAt),
  };
}

/** Publishes the case's new state (outbox → `moderation.cases` → realtime `moderation.caseUpdated`). */
export function publishCase(em: EntityManager, moderationCase: ModerationCase): void {
  recordEvent(em, {
    stream: CASES_STREAM,
    type: 'ModerationCaseUpdated',
    aggregateId: moderationCase.id,
    payload: caseToPayload(moderationCase) as unknown as Record<string, unknown>,
  });
}

/** What a decision does to the content's status, and when it is allowed. */
const DECISIONS: Record<
  Decision,
  { target: ModerationStatus; action: 'CASE_APPROVED' | 'CONTENT_REMOVED' | 'CONTENT_RESTORED' }
> = {
  APPROVE: { target: 'VISIBLE', action: 'CASE_APPROVED' },
  REMOVE: { target: 'REMOVED', action: 'CONTENT_REMOVED' },
  RESTORE: { target: 'VISIBLE', action: 'CONTENT_RESTORED' },
};

export class CaseService {
  constructor(
    private readonly em: EntityManager,
    private readonly config: ModerationConfig,
  ) {}

  /**
   * The item's open case, raised to `severity` (and to `ruleId` when that rule is the most severe so
   * far), or a new one. One open case per item: a partial unique index enforces it under concurrency.
   */
  async openOrEscalate(
    item: ContentItem,
    reason: { severity: number; ruleId: string | null; excerpt: string | null; report: boolean },
  ): Promise<{ moderationCase: ModerationCase; opened: boolean }> {
    const now = new Date();
    const open = await this.em.findOne(
      ModerationCaseSchema,
      { contentId: item.id, state: OPEN },
      { lockMode: LockMode.PESSIMISTIC_WRITE },
    );
    if (open) {
      if (reason.severity > open.severity || (open.ruleId === null && reason.ruleId !== null)) {
        if (reason.ruleId !== null) open.ruleId = reason.ruleId;
        if (reason.excerpt !== null) open.excerpt = reason.excerpt;
      }
      open.severity = Math.max(open.severity, reason.severity);
      if (reason.report) open.reportCount += 1;
      open.updatedAt = now;
      publishCase(this.em, open);
      return { moderationCase: open, opened: false };
    }
    const created = this.em.create(ModerationCaseSchema, {
      id: uuidv7(),
      contentType: item.contentType,
      contentId: item.id,
      postId: item.postId,
      authorId: item.authorId,
      state: 'OPEN',
      severity: reason.severity,
      ruleId: reason.ruleId,
      reportCount: reason.report ? 1 : 0,
      excerpt: reason.excerpt,
      claimedBy: null,
      claimedAt: null,
      decision: null,
      decidedBy: null,
      decidedAt: null,
      note: null,
      openedAt: now,
      updatedAt: now,
    });
    publishCase(this.em, created);
    return { moderationCase: created, opened: true };
  }

  /** Takes the case for `moderator`; CONFLICT when it is closed or another moderator's claim is fresh. */
  claim(id: string, moderator: string): Promise<ModerationCase> {
    return this.em.transactional(async (em) => {
      const moderationCase = await this.lockCase(em, id);
      if (moderationCase.state === 'CLOSED') throw AppError.conflict('The case is closed', 'id');
      this.assertNotClaimedByAnother(moderationCase, moderator);
      const now = new Date();
      moderationCase.state = 'CLAIMED';
      moderationCase.claimedBy = moderator;
      moderationCase.claimedAt = now;
      moderationCase.updatedAt = now;
      audit(em, {
        actor: moderator,
        action: 'CASE_CLAIMED',
        targetType: moderationCase.contentType,
        targetId: moderationCase.contentId,
        details: { caseId: moderationCase.id },
      });
      publishCase(em, moderationCase);
      return moderationCase;
    });
  }

  /**
   * APPROVE (open cases: the content is visible), REMOVE (the content is removed; the author may be
   * flagged) and RESTORE (hidden or removed content is visible again, on open or closed cases). Closes
   * the case, resolves its reports, publishes the status change, and logs it — in one transaction.
   */
  decide(id: string, decision: Decision, note: string | null, moderator: string): Promise<ModerationCase> {
    const trimmed = note?.trim() || null;
    if (trimmed !== null && trimmed.length > 1_000)
      throw AppError.invalidField('note', 'must be at most 1000 characters');
    return this.em.transactional(async (em) => {
      const moderationCase = await this.lockCase(em, id);
      const wasOpen = moderationCase.state !== 'CLOSED';
      if (wasOpen) this.assertNotClaimedByAnother(moderationCase, moderator);
      const item = await lockItem(em, moderationCase.contentId, moderationCase);
      const { target, action } = DECISIONS[decision];
      if (decision === 'APPROVE' && !wasOpen)
        throw AppError.conflict('The case is closed; RESTORE makes its content visible again', 'decision');
      if (decision === 'REMOVE' && item.status === 'REMOVED')
        throw AppError.conflict('The content is already removed', 'decision');
      if (decision === 'RESTORE' && item.status === 'VISIBLE')
        throw AppError.conflict('The content is visible', 'decision');
      const previousStatus = item.status;
      const now = new Date();
      changeStatus(em, item, target, { caseId: moderationCase.id, reason: trimmed ?? decision, moderator });
      Object.assign(moderationCase, {
        state: 'CLOSED',
        decision,
        decidedBy: moderator,
        decidedAt: now,
        note: trimmed,
        updatedAt: now,
      });
      if (wasOpen)
        await em.nativeUpdate(
          ContentReportSchema,
          { caseId: moderationCase.id, state: 'OPEN' },
          { state: 'RESOLVED', resolvedAt: now },
        );
      audit(em, {
        actor: moderator,
        action,
        targetType: item.contentType,
        targetId: item.id,
        reason: trimmed,
        details: { caseId: moderationCase.id, decision, previousStatus, status: target },
      });
      publishCase(em, moderationCase);
      if (decision === 'REMOVE') {
        await em.flush();
        await flagAuthorIfNeeded(em, item.authorId, this.config.MODERATION_REMOVAL_THRESHOLD);
      }
      return moderationCase;
    });
  }

  /**
   * Cases not closed, most severe first and oldest first (ids are UUIDv7), keyset-paginated after the
   * case `page.after`. Served by the partial index `moderation_case_queue_idx (severity desc, id)`.
   */
  async queue(page: PageArgs): Promise<ModerationCase[]> {
    return (await this.queueQuery(page)).query.getResult();
  }

  /**
   * The queue's query, unexecuted (exposed so that a test can EXPLAIN exactly what runs). Wrapped in an
   * object because a query builder is thenable: awaiting it would run it.
   */
  async queueQuery(page: PageArgs) {
    const qb = this.em.createQueryBuilder(ModerationCaseSchema).select('*').where({ state: OPEN });
    if (page.after !== undefined) {
      const after = await this.em.findOne(ModerationCaseSchema, { id: page.after });
      if (!after) throw AppError.invalidField('after', 'is not a cursor returned by this API');
      qb.andWhere({
        $or: [{ severity: { $lt: after.severity } }, { severity: after.severity, id: { $gt: after.id } }],
      });
    }
    return { query: qb.orderBy({ severity: 'desc', id: 'asc' }).limit(page.first + 1) };
  }

  private async lockCase(em: EntityManager, id: string): Promise<ModerationCase> {
    const found = isId(id)
      ? await em.findOne(ModerationCaseSchema, { id: id.toLowerCase() }, { lockMode: LockMode.PESSIMISTIC_WRITE })
      : null;
    if (!found) throw AppError.notFound('ModerationCase', id);
    return found;
  }

  private assertNotClaimedByAnother(moderationCase: ModerationCase, moderator: string): void {
    const { claimedBy, claimedAt } = moderationCase;
    const fresh =
      claimedAt !== null && Date.now() - claimedAt.getTime() < this.config.MODERATION_CLAIM_TTL_MINUTES * 60_000;
    if (moderationCase.state === 'CLAIMED' && claimedBy !== moderator && fresh)
      throw AppError.conflict('Another moderator has claimed this case', 'id');
  }
}
