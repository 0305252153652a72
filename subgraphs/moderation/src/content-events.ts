import type { EntityManager } from '@mikro-orm/postgresql';
import type { DomainEvent } from '@supergraph/events';
import { isId, type ConsumerDefinition } from '@supergraph/subgraph-kit';
import { audit } from './audit.js';
import { SYSTEM_ACTOR } from './audit.entity.js';
import { ModerationCaseSchema } from './case.entity.js';
import { CaseService, publishCase } from './case.service.js';
import type { ModerationConfig } from './config.js';
import { changeStatus, lockItem } from './content-status.js';
import type { ContentItem, ContentType } from './content-item.entity.js';
import { ContentReportSchema } from './report.entity.js';
import { ModerationRuleSchema, type ModerationRule } from './rule.entity.js';
import { compileRule, matchableText } from './rule-pattern.js';

export const POSTS_STREAM = 'content.posts';
export const COMMENTS_STREAM = 'content.comments';

/** What a content event says about one item (docs/events.md, content.posts and content.comments). */
interface ContentFact {
  readonly id: string;
  readonly contentType: ContentType;
  readonly postId: string;
  readonly authorId: string;
  /** createdAt / editedAt, or deletedAt for deletions. */
  readonly at: Date;
  /** The text rules are matched against; null for deletions. */
  readonly text: string | null;
}

function factOf(event: DomainEvent): ContentFact | null {
  const p = event.payload as Record<string, unknown>;
  const str = (value: unknown) => (typeof value === 'string' ? value : '');
  const post = event.stream === POSTS_STREAM;
  const time: Record<string, string> = {
    PostCreated: 'createdAt',
    PostEdited: 'editedAt',
    PostDeleted: 'deletedAt',
    CommentCreated: 'createdAt',
    CommentEdited: 'editedAt',
    CommentDeleted: 'deletedAt',
  };
  const timeField = time[event.type];
  if (timeField === undefined) return null; // a type moderation does not know: ignored (docs/events.md)
  const id = str(p.id).toLowerCase();
  const postId = (post ? id : str(p.postId)).toLowerCase();
  const at = new Date(str(p[timeField]));
  if (!isId(id) || !isId(postId) || Number.isNaN(at.getTime())) return null;
  const deleted = event.type.endsWith('Deleted');
  const tags = Array.isArray(p.tags) ? p.tags.filter((tag) => typeof tag === 'string').join(' ') : '';
  const text = deleted ? null : post ? [str(p.title), str(p.body), tags].filter(Boolean).join('\n') : str(p.body);
  return { id, contentType: post ? 'POST' : 'COMMENT', postId, authorId: str(p.authorId).toLowerCase(), at, text };
}

// Compiled rules by id and version: compiling is cheap, but not per event and rule.
const compiled = new Map<string, RegExp>();
function regexOf(rule: ModerationRule): RegExp {
  const key = `${rule.id}:${rule.updatedAt.getTime()}`;
  let regex = compiled.get(key);
  if (!regex) {
    if (compiled.size > 10_000) compiled.clear();
    regex = compileRule(rule.kind, rule.pattern);
    compiled.set(key, regex);
  }
  return regex;
}

/** About 200 characters around the first match, for the moderator's queue. */
function excerptAround(text: string, index: number): string {
  const start = Math.max(0, index - 60);
  return `${start > 0 ? '…' : ''}${text.slice(start, start + 200)}${start + 200 < text.length ? '…' : ''}`;
}

/**
 * Checks a new or edited item against the active rules: any match opens (or escalates) its case with the
 * most severe matching rule; a matching HIDE rule also hides the item at once.
 */
async function checkItem(em: EntityManager, config: ModerationConfig, item: ContentItem, text: string): Promise<void> {
  const matchable = matchableText(text);
  const rules = await em.find(ModerationRuleSchema, { deletedAt: null }, { orderBy: { severity: 'desc', id: 'asc' } });
  const matches = rules.flatMap((rule) => {
    const found = regexOf(rule).exec(matchable);
    return found ? [{ rule, index: found.index }] : [];
  });
  const top = matches[0];
  if (!top) return;
  const { moderationCase, opened } = await new CaseService(em, config).openOrEscalate(item, {
    severity: top.rule.severity,
    ruleId: top.rule.id,
    excerpt: excerptAround(matchable, top.index),
    report: false,
  });
  const target = { targetType: item.contentType, targetId: item.id } as const;
  audit(em, {
    actor: SYSTEM_ACTOR,
    action: opened ? 'CASE_OPENED' : 'CASE_ESCALATED',
    ...target,
    reason: `matches rule ${JSON.stringify(top.rule.pattern)}`,
    details: { caseId: moderationCase.id, rules: matches.map((match) => match.rule.id) },
  });
  const hide = matches.find((match) => match.rule.action === 'HIDE');
  if (!hide || item.status !== 'VISIBLE') return;
  const reason = `rule ${JSON.stringify(hide.rule.pattern)}`;
  changeStatus(em, item, 'HIDDEN', { caseId: moderationCase.id, reason, moderator: null });
  audit(em, {
    actor: SYSTEM_ACTOR,
    action: 'CONTENT_HIDDEN',
    ...target,
    reason,
    details: { caseId: moderationCase.id, ruleId: hide.rule.id },
  });
}

/** Deleted by its author: no longer checked; its open case closes (nothing left to decide). */
async function closeForDeletion(em: EntityManager, item: ContentItem, at: Date): Promise<void> {
  item.deletedAt = at;
  const open = await em.findOne(ModerationCaseSchema, { contentId: item.id, state: { $ne: 'CLOSED' } });
  if (!open) return;
  const now = new Date();
  Object.assign(open, { state: 'CLOSED', note: 'deleted by its author', updatedAt: now });
  await em.nativeUpdate(
    ContentReportSchema,
    { caseId: open.id, state: 'OPEN' },
    { state: 'RESOLVED', resolvedAt: now },
  );
  audit(em, {
    actor: SYSTEM_ACTOR,
    action: 'CASE_CLOSED',
    targetType: item.contentType,
    targetId: item.id,
    reason: 'deleted by its author',
    details: { caseId: open.id },
  });
  publishCase(em, open);
}

/**
 * Applies one content event. Idempotent through the kit (`processed_event`), and safe against late or
 * redelivered events: a version no newer than the one checked, or any version of deleted content, is ignored.
 */
export async function applyContentEvent(
  event: DomainEvent,
  em: EntityManager,
  config: ModerationConfig,
): Promise<void> {
  const fact = factOf(event);
  if (!fact) return;
  const item = await lockItem(em, fact.id, {
    contentType: fact.contentType,
    postId: fact.postId,
    authorId: fact.authorId || null,
  });
  if (item.deletedAt !== null) return;
  if (fact.text === null) return closeForDeletion(em, item, fact.at);
  if (item.versionAt !== null && fact.at.getTime() <= item.versionAt.getTime()) return;
  item.versionAt = fact.at;
  await checkItem(em, config, item, fact.text);
}

/** The consumers of content's streams (groups `moderation.posts` and `moderation.comments`). */
export function contentConsumers(config: ModerationConfig): ConsumerDefinition[] {
  const handle = (event: DomainEvent, em: EntityManager) => applyContentEvent(event, em, config);
  return [
    { stream: POSTS_STREAM, name: 'moderation.posts', handle },
    { stream: COMMENTS_STREAM, name: 'moderation.comments', handle },
  ];
}
