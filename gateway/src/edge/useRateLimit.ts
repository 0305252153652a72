import type { Identity } from '@supergraph/auth';
import type { Logger } from '@supergraph/logger';
import type { NextFunction, Request, Response } from 'express';
import type { RateLimitDecision, RateLimitPolicy, RateLimitStore } from './rateLimit.js';
import { sendGraphQLError } from './httpErrors.js';

/** Budgets per kind of caller, and one more for mutations on top of the caller's. */
export interface RateLimitBudgets {
  /** Callers without a token, per client IP. Default 300 per 60 s. */
  readonly anonymous: RateLimitPolicy;
  /** People (a token of a user), per subject. Default 1,200 per 60 s. */
  readonly user: RateLimitPolicy;
  /** Partners (role `partner` or a service account), per client id. Default 6,000 per 60 s. */
  readonly partner: RateLimitPolicy;
  /** Mutations, per caller key, counted in addition to the above. Default 120 per 60 s. */
  readonly mutation: RateLimitPolicy;
}

export const DEFAULT_RATE_LIMIT_BUDGETS: RateLimitBudgets = {
  anonymous: { limit: 300, windowSeconds: 60 },
  user: { limit: 1_200, windowSeconds: 60 },
  partner: { limit: 6_000, windowSeconds: 60 },
  mutation: { limit: 120, windowSeconds: 60 },
};

export type CallerClass = 'anonymous' | 'user' | 'partner';

/** Who pays for a request: partners by client id, people by subject, anonymous callers by IP. */
export function callerOf(identity: Identity | undefined, ip: string | undefined): { class: CallerClass; key: string } {
  if (!identity) return { class: 'anonymous', key: `ip:${ip ?? 'unknown'}` };
  if (identity.isServiceAccount || identity.roles.includes('partner')) {
    return { class: 'partner', key: `client:${identity.clientId}` };
  }
  return { class: 'user', key: `sub:${identity.subject}` };
}

/** IETF draft (httpapi-ratelimit-headers, -07): RateLimit-Limit/Remaining/Reset and RateLimit-Policy. */
export function rateLimitHeaders(decision: RateLimitDecision): [string, string][] {
  const headers: [string, string][] = [
    ['ratelimit-limit', String(decision.policy.limit)],
    ['ratelimit-remaining', String(decision.remaining)],
    ['ratelimit-reset', String(decision.resetSeconds)],
    ['ratelimit-policy', `${decision.policy.limit};w=${decision.policy.windowSeconds}`],
  ];
  if (!decision.allowed) headers.push(['retry-after', String(decision.retryAfterSeconds)]);
  return headers;
}

export function rateLimitedMessage(decision: RateLimitDecision): string {
  return `Too many requests: retry after ${decision.retryAfterSeconds} s`;
}

/** The caller's key, kept for the mutation budget checked once the operation is known. */
export const RATE_LIMIT_KEY = 'rateLimitKey';

/**
 * Charges every GraphQL request to its caller's budget before the body is even parsed, so refused
 * requests cost one Redis round trip. 429 with Retry-After when the budget is spent; the RateLimit
 * headers on every answer.
 */
export function rateLimitMiddleware(store: RateLimitStore, budgets: RateLimitBudgets, logger: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const caller = callerOf(res.locals.identity as Identity | undefined, req.ip);
    res.locals[RATE_LIMIT_KEY] = caller.key;
    store.consume(`${caller.class}:${caller.key}`, budgets[caller.class]).then(
      (decision) => {
        for (const [name, value] of rateLimitHeaders(decision)) res.setHeader(name, value);
        if (decision.allowed) return next();
        logger.warn({ caller: caller.key, class: caller.class }, 'rate limited');
        sendGraphQLError(res, 429, 'RATE_LIMITED', rateLimitedMessage(decision), {
          retryAfter: decision.retryAfterSeconds,
        });
      },
      (error: unknown) => next(error),
    );
  };
}
