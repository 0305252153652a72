import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError } from '@supergraph/errors';
import { InputValidator, isId, uuidv7 } from '@supergraph/subgraph-kit';
import { audit } from './audit.js';
import { CaseService } from './case.service.js';
import type { ModerationConfig } from './config.js';
import { ContentItemSchema } from './content-item.entity.js';
import { LockMode } from '@mikro-orm/core';
import { ContentReportSchema, type ContentReport } from './report.entity.js';

/** Severity of a case that only reports opened (rules start at 1 too; the most severe rule wins). */
export const REPORT_SEVERITY = 1;

export class ReportService {
  constructor(
    private readonly em: EntityManager,
    private readonly config: ModerationConfig,
  ) {}

  /**
   * A user's report about post or comment `id`: opens its case or adds to the open one. A second open
   * report of the same user about the same content is a CONFLICT (partial unique index
   * `content_report_open_uniq`, which also settles concurrent duplicates).
   */
  report(reporter: string, id: string, reason: string): Promise<ContentReport> {
    const check = new InputValidator();
    check.check(isId(id), 'id', 'is not a post or comment id');
    const text = check.text('reason', reason, 3, 500);
    check.done();
    const contentId = id.toLowerCase();
    return this.em.transactional(async (em) => {
      const item = await em.findOne(ContentItemSchema, { id: contentId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!item || item.deletedAt !== null) throw AppError.notFound('Content', id);
      const duplicate = await em.findOne(ContentReportSchema, { reporterId: reporter, contentId, state: 'OPEN' });
      if (duplicate) throw AppError.conflict('You already reported this content; a moderator will look at it', 'id');
      const { moderationCase } = await new CaseService(em, this.config).openOrEscalate(item, {
        severity: REPORT_SEVERITY,
        ruleId: null,
        excerpt: null,
        report: true,
      });
      const report = em.create(ContentReportSchema, {
        id: uuidv7(),
        contentType: item.contentType,
        contentId,
        reporterId: reporter,
        reason: text,
        caseId: moderationCase.id,
        state: 'OPEN',
        createdAt: new Date(),
        resolvedAt: null,
      });
      audit(em, {
        actor: reporter,
        action: 'REPORT_FILED',
        targetType: item.contentType,
        targetId: contentId,
        reason: text,
        details: { caseId: moderationCase.id, reportId: report.id },
      });
      return report;
    });
  }
}
