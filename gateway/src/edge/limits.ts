import { createHash } from 'node:crypto';
import {
  GraphQLError,
  Kind,
  Lexer,
  Source,
  TokenKind,
  parse,
  type DocumentNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/** Structural limits of one operation, checked before Apollo Server parses and validates it. */
export interface OperationLimits {
  /** Deepest field nesting (fragments expanded). Default 12. */
  readonly depth: number;
  /** Aliased fields (fragments expanded, so a fragment spread twice counts twice). Default 50. */
  readonly aliases: number;
  /** Fields at the root of the operation. Default 30. */
  readonly rootFields: number;
  /** Lexical tokens of the whole document (comments excluded). Default 5,000. */
  readonly tokens: number;
}

export const DEFAULT_OPERATION_LIMITS: OperationLimits = { depth: 12, aliases: 50, rootFields: 30, tokens: 5_000 };

export type LimitName = keyof OperationLimits | 'cost';

/** The OPERATION_LIMIT_EXCEEDED error: `extensions.limit` names the limit, `max` and `actual` give the numbers. */
export function limitExceeded(limit: LimitName, max: number, actual: number): GraphQLError {
  return new GraphQLError(`The operation exceeds the ${limit} limit (${actual} > ${max})`, {
    extensions: { code: 'OPERATION_LIMIT_EXCEEDED', limit, max, actual, http: { status: 400 } },
  });
}

interface Stats {
  depth: number;
  aliases: number;
  rootFields: number;
}

export interface OperationShape extends Stats {
  readonly type: 'query' | 'mutation' | 'subscription';
}

/** What one document weighs: computed once per distinct text. `operations` is keyed by name ('' = anonymous). */
export interface DocumentAnalysis {
  readonly tokens: number;
  /** Undefined when the document does not parse (Apollo Server reports the syntax error). */
  readonly operations: ReadonlyMap<string, OperationShape> | undefined;
}

/** Lexing alone (`advance` skips comments); the body-size limit bounds its work. */
function countTokens(source: string): number {
  const lexer = new Lexer(new Source(source));
  let count = 0;
  while (lexer.advance().kind !== TokenKind.EOF) count += 1;
  return count;
}

/** Depth, aliases and root fields of a selection set; fragments are measured once and reused (memo). */
function measure(
  selectionSet: SelectionSetNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  memo: Map<string, Stats>,
  visiting: Set<string>,
): Stats {
  const stats: Stats = { depth: 0, aliases: 0, rootFields: 0 };
  for (const selection of selectionSet.selections) {
    let inner: Stats;
    if (selection.kind === Kind.FIELD) {
      const child = selection.selectionSet
        ? measure(selection.selectionSet, fragments, memo, visiting)
        : { depth: 0, aliases: 0, rootFields: 0 };
      inner = { depth: child.depth + 1, aliases: child.aliases + (selection.alias ? 1 : 0), rootFields: 1 };
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      inner = measure(selection.selectionSet, fragments, memo, visiting);
    } else {
      const name = selection.name.value;
      const known = memo.get(name);
      const fragment = fragments.get(name);
      // Unknown or cyclic spreads weigh nothing here: validation rejects them.
      if (known) inner = known;
      else if (!fragment || visiting.has(name)) inner = { depth: 0, aliases: 0, rootFields: 0 };
      else {
        visiting.add(name);
        inner = measure(fragment.selectionSet, fragments, memo, visiting);
        visiting.delete(name);
        memo.set(name, inner);
      }
    }
    stats.depth = Math.max(stats.depth, inner.depth);
    stats.aliases += inner.aliases;
    stats.rootFields += inner.rootFields;
  }
  return stats;
}

/** Tokens, then (when within the token limit) the shape of every operation of the document. */
export function analyzeDocument(source: string, maxTokens: number): DocumentAnalysis {
  let tokens: number;
  try {
    tokens = countTokens(source);
  } catch {
    return { tokens: 0, operations: undefined };
  }
  if (tokens > maxTokens) return { tokens, operations: undefined };
  let document: DocumentNode;
  try {
    document = parse(source, { noLocation: true, maxTokens: maxTokens + 1 });
  } catch {
    return { tokens, operations: undefined };
  }
  return { tokens, operations: operationShapes(document) };
}

/** The shape of each operation of a parsed document. */
export function operationShapes(document: DocumentNode): Map<string, OperationShape> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  const operations: OperationDefinitionNode[] = [];
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    else if (definition.kind === Kind.OPERATION_DEFINITION) operations.push(definition);
  }
  const memo = new Map<string, Stats>();
  const shapes = new Map<string, OperationShape>();
  for (const operation of operations) {
    const stats = measure(operation.selectionSet, fragments, memo, new Set());
    shapes.set(operation.name?.value ?? '', { ...stats, type: operation.operation });
  }
  return shapes;
}

/**
 * The first limit an operation breaks, if any. Without `operationName`, a document's single
 * operation is checked; with several operations and no name every one is (Apollo Server refuses
 * the request anyway, after this).
 */
export function violation(
  analysis: DocumentAnalysis,
  limits: OperationLimits,
  operationName?: string | null,
): GraphQLError | undefined {
  if (analysis.tokens > limits.tokens) return limitExceeded('tokens', limits.tokens, analysis.tokens);
  const operations = analysis.operations;
  if (!operations) return undefined;
  const selected = operationName ? operations.get(operationName) : undefined;
  for (const shape of selected ? [selected] : operations.values()) {
    if (shape.depth > limits.depth) return limitExceeded('depth', limits.depth, shape.depth);
    if (shape.aliases > limits.aliases) return limitExceeded('aliases', limits.aliases, shape.aliases);
    if (shape.rootFields > limits.rootFields) return limitExceeded('rootFields', limits.rootFields, shape.rootFields);
  }
  return undefined;
}

/** Texts up to this length are cache keys as they are; longer ones by their SHA-256. */
const MAX_KEY_LENGTH = 16 * 1024;

/**
 * Checks documents against {@link OperationLimits}, analysing each distinct text once: the
 * analysis (not the verdict, which depends on the operation name) is kept in a bounded cache, so a
 * client repeating an operation costs one map lookup.
 */
export class OperationLimiter {
  private readonly cache = new Map<string, DocumentAnalysis>();

  constructor(
    readonly limits: OperationLimits = DEFAULT_OPERATION_LIMITS,
    private readonly cacheSize = 2_000,
  ) {}

  analyze(source: string): DocumentAnalysis {
    const key = source.length <= MAX_KEY_LENGTH ? source : createHash('sha256').update(source).digest('base64');
    let analysis = this.cache.get(key);
    if (!analysis) {
      analysis = analyzeDocument(source, this.limits.tokens);
      // Oldest first: Map keeps insertion order.
      if (this.cache.size >= this.cacheSize) this.cache.delete(this.cache.keys().next().value as string);
      this.cache.set(key, analysis);
    }
    return analysis;
  }

  check(source: string, operationName?: string | null): GraphQLError | undefined {
    return violation(this.analyze(source), this.limits, operationName);
  }
}

/**
 * The structural limits of one `document` (a text, or an already parsed document whose tokens are not
 * counted again), without the per-document cache of `OperationLimiter` (which the gateway's HTTP and
 * graphql-ws paths use).
 */
export function checkOperationLimits(
  document: string | DocumentNode,
  limits: OperationLimits = DEFAULT_OPERATION_LIMITS,
  operationName?: string | null,
): GraphQLError | undefined {
  const analysis: DocumentAnalysis =
    typeof document === 'string'
      ? analyzeDocument(document, limits.tokens)
      : { tokens: 0, operations: operationShapes(document) };
  return violation(analysis, limits, operationName);
}
