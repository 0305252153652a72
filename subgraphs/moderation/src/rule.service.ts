import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError } from '@supergraph/errors';
import { InputValidator, isId, uuidv7 } from '@supergraph/subgraph-kit';
import { audit } from './audit.js';
import type { ModerationConfig } from './config.js';
import { ModerationRuleSchema, type ModerationRule, type RuleAction, type RuleKind } from './rule.entity.js';
import { patternProblems } from './rule-pattern.js';

export interface RuleInput {
  pattern?: string | null;
  kind?: RuleKind | null;
  severity?: number | null;
  action?: RuleAction | null;
}

/** Admin management of rules; every change is in the audit log. */
export class RuleService {
  constructor(
    private readonly em: EntityManager,
    private readonly config: ModerationConfig,
  ) {}

  active(): Promise<ModerationRule[]> {
    return this.em.find(ModerationRuleSchema, { deletedAt: null }, { orderBy: { severity: 'desc', id: 'asc' } });
  }

  async create(admin: string, input: RuleInput): Promise<ModerationRule> {
    const rule = await this.validated({ pattern: '', kind: 'WORD', severity: 0, action: 'FLAG' }, input, true);
    const now = new Date();
    const created = this.em.create(ModerationRuleSchema, {
      id: uuidv7(),
      ...rule,
      createdAt: now,
      updatedAt: now,
      deletedAt: null,
    });
    audit(this.em, {
      actor: admin,
      action: 'RULE_CREATED',
      targetType: 'RULE',
      targetId: created.id,
      details: { ...rule },
    });
    await this.em.flush();
    return created;
  }

  async update(admin: string, id: string, input: RuleInput): Promise<ModerationRule> {
    const existing = await this.find(id);
    const before = {
      pattern: existing.pattern,
      kind: existing.kind,
      severity: existing.severity,
      action: existing.action,
    };
    Object.assign(existing, await this.validated(before, input, false), { updatedAt: new Date() });
    audit(this.em, {
      actor: admin,
      action: 'RULE_UPDATED',
      targetType: 'RULE',
      targetId: existing.id,
      details: {
        before,
        after: { pattern: existing.pattern, kind: existing.kind, severity: existing.severity, action: existing.action },
      },
    });
    await this.em.flush();
    return existing;
  }

  async delete(admin: string, id: string): Promise<string> {
    const existing = await this.find(id);
    existing.deletedAt = new Date();
    audit(this.em, {
      actor: admin,
      action: 'RULE_DELETED',
      targetType: 'RULE',
      targetId: existing.id,
      details: { pattern: existing.pattern },
    });
    await this.em.flush();
    return existing.id;
  }

  private async find(id: string): Promise<ModerationRule> {
    const found = isId(id)
      ? await this.em.findOne(ModerationRuleSchema, { id: id.toLowerCase(), deletedAt: null })
      : null;
    if (!found) throw AppError.notFound('ModerationRule', id);
    return found;
  }

  /** `base` with `input` applied, every problem reported at once (the ReDoS check only for a valid shape). */
  private async validated(
    base: Required<{ [K in keyof RuleInput]: NonNullable<RuleInput[K]> }>,
    input: RuleInput,
    creating: boolean,
  ): Promise<Pick<ModerationRule, 'pattern' | 'kind' | 'severity' | 'action'>> {
    const check = new InputValidator();
    const severity = input.severity ?? base.severity;
    if (creating || input.severity != null)
      check.check(
        Number.isInteger(severity) && severity >= 1 && severity <= 100,
        'input.severity',
        'must be between 1 and 100',
      );
    for (const field of ['pattern', 'kind', 'severity', 'action'] as const) {
      if (!creating && input[field] === null) check.check(false, `input.${field}`, 'must not be null');
    }
    const rule = {
      pattern: input.pattern ?? base.pattern,
      kind: input.kind ?? base.kind,
      severity,
      action: input.action ?? base.action,
    };
    for (const message of await patternProblems(
      rule.kind,
      rule.pattern,
      this.config.MODERATION_REGEX_CHECK_TIMEOUT_MS,
    )) {
      check.check(false, 'input.pattern', message);
    }
    check.done();
    return rule;
  }
}
