import { check } from 'recheck';
import type { RuleKind } from './rule.entity.js';

/** Longest WORD pattern (a word or a short phrase). */
export const MAX_WORD_LENGTH = 100;
/** Longest REGEX pattern: short patterns keep the ReDoS analysis fast and rules reviewable. */
export const MAX_REGEX_LENGTH = 200;
/** Only this much of a text is matched: content limits its own sizes, this bounds the work per event. */
export const MAX_MATCHED_TEXT = 50_000;
/** Every rule is compiled with these: case-insensitive, Unicode-aware (`\p{…}`, astral characters). */
export const RULE_FLAGS = 'iu';

// Letters, marks, digits and connector punctuation (e.g. `_`) make up words in every script.
const WORD_CHAR = String.raw`[\p{L}\p{M}\p{N}\p{Pc}]`;

/**
 * A rule's pattern as a RegExp. WORD: the literal word or phrase, matched as a whole word (no word
 * character on either side, in any script) — a lookbehind/lookahead, not `\b`, which only knows ASCII
 * word characters. REGEX: the pattern as given. Both with `RULE_FLAGS`; text and word are NFKC-normalised
 * so that compatibility forms (full-width letters, ligatures) match their plain counterparts.
 */
export function compileRule(kind: RuleKind, pattern: string): RegExp {
  if (kind === 'REGEX') return new RegExp(pattern, RULE_FLAGS);
  const literal = pattern.normalize('NFKC').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  return new RegExp(`(?<!${WORD_CHAR})${literal}(?!${WORD_CHAR})`, RULE_FLAGS);
}

/** The text a rule is matched against (normalised and bounded). */
export function matchableText(text: string): string {
  return text.slice(0, MAX_MATCHED_TEXT).normalize('NFKC');
}

/**
 * Problems of a pattern, as messages for `input.pattern`; empty when it may be used. A REGEX must compile
 * with `RULE_FLAGS` and be proven safe by recheck (no exponential or polynomial backtracking) within
 * `timeoutMs`; "vulnerable" and "unknown" (timeout, unsupported syntax) are both refused, because a rule
 * runs on every post and comment.
 */
export async function patternProblems(kind: RuleKind, pattern: string, timeoutMs: number): Promise<string[]> {
  if (pattern.trim().length === 0) return ['must not be empty'];
  if (kind === 'WORD') {
    if (pattern.length > MAX_WORD_LENGTH) return [`must be at most ${MAX_WORD_LENGTH} characters`];
    if (pattern !== pattern.trim()) return ['must not start or end with spaces'];
    return [];
  }
  if (pattern.length > MAX_REGEX_LENGTH) return [`must be at most ${MAX_REGEX_LENGTH} characters`];
  try {
    new RegExp(pattern, RULE_FLAGS);
  } catch (error) {
    return [`is not a valid regular expression (${(error as Error).message})`];
  }
  if (new RegExp(pattern, RULE_FLAGS).test('')) return ['must not match empty text'];
  const diagnostics = await check(pattern, RULE_FLAGS, { timeout: timeoutMs });
  switch (diagnostics.status) {
    case 'safe':
      return [];
    case 'vulnerable':
      return [
        `may backtrack catastrophically (${diagnostics.complexity.summary}; e.g. ${JSON.stringify(diagnostics.attack.pattern)})`,
      ];
    default:
      return diagnostics.error.kind === 'timeout'
        ? [`could not be proven safe from catastrophic backtracking within ${timeoutMs} ms`]
        : [`could not be analysed for catastrophic backtracking (${diagnostics.error.kind})`];
  }
}
