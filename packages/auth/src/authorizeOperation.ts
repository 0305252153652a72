import {
  getNamedType,
  isAbstractType,
  isCompositeType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql';
import type { Identity } from './identity.js';
import { satisfies, type Requirements } from './requirements.js';

/** Response-path segments; `'@'` stands for every item of a list. */
export type PathTemplate = readonly (string | '@')[];

export interface AuthorizedOperation {
  /** The operation to execute: denied fields are replaced by `__typename` under the same response key. */
  readonly document: DocumentNode;
  /** Where denied fields were, as Apollo Router reports them. */
  readonly denied: readonly PathTemplate[];
  /** Every root field was denied: nothing to execute. */
  readonly nothingLeft: boolean;
  /** Sets the denied fields of `data` to null and removes the helper `__typename` keys. */
  nullDenied(data: Record<string, unknown> | null | undefined): void;
}

const TYPENAME_KEY = '__sg_typename';

/**
 * Applies `@authenticated` / `@requiresScopes` to one operation before it is planned, the way Apollo
 * Router does: denied fields are taken out of the query and come back as null, each with an
 * UNAUTHORIZED_FIELD_OR_TYPE error at its path. Returns `undefined` when the caller may see everything
 * (the common case, in which the operation runs unchanged).
 */
export function authorizeOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  requirements: Requirements,
  identity: Identity | undefined,
): AuthorizedOperation | undefined {
  if (requirements.size === 0) return undefined;
  const operations = document.definitions.filter(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  const operation = operationName ? operations.find((op) => op.name?.value === operationName) : operations[0];
  if (!operation) return undefined;
  const rootType = schema.getRootType(operation.operation);
  if (!rootType) return undefined;
  const fragments = new Map(
    document.definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((fragment) => [fragment.name.value, fragment]),
  );

  const denied: PathTemplate[] = [];
  const replaced = new WeakSet<FieldNode>();

  const allowed = (parent: GraphQLCompositeType, fieldName: string, type: GraphQLOutputType) =>
    satisfies(requirements.get(`${parent.name}.${fieldName}`), identity) &&
    satisfies(requirements.get(getNamedType(type).name), identity);

  const rewrite = (
    selectionSet: SelectionSetNode,
    parent: GraphQLCompositeType,
    path: PathTemplate,
  ): SelectionSetNode => {
    const selections: SelectionNode[] = [];
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        const key = selection.alias?.value ?? name;
        if (name.startsWith('__') || !('getFields' in parent)) {
          selections.push(selection);
          continue;
        }
        const field = parent.getFields()[name];
        if (!field) {
          selections.push(selection);
          continue;
        }
        if (!allowed(parent, name, field.type)) {
          denied.push([...path, key]);
          const replacement: FieldNode = {
            kind: Kind.FIELD,
            alias: { kind: Kind.NAME, value: key },
            name: { kind: Kind.NAME, value: '__typename' },
          };
          replaced.add(replacement);
          selections.push(replacement);
          continue;
        }
        const named = getNamedType(field.type);
        if (selection.selectionSet && isCompositeType(named)) {
          selections.push({
            ...selection,
            selectionSet: rewrite(selection.selectionSet, named, [...path, key, ...listMarkers(field.type)]),
          });
        } else selections.push(selection);
      } else {
        const fragment = selection.kind === Kind.FRAGMENT_SPREAD ? fragments.get(selection.name.value) : selection;
        if (!fragment) continue;
        const condition = fragment.typeCondition ? schema.getType(fragment.typeCondition.name.value) : parent;
        if (!condition || !isCompositeType(condition)) continue;
        // Named fragments are inlined: the same fragment can be allowed at one path and hold denied fields at another.
        selections.push({
          kind: Kind.INLINE_FRAGMENT,
          ...(fragment.typeCondition ? { typeCondition: fragment.typeCondition } : {}),
          ...(fragment.directives ? { directives: fragment.directives } : {}),
          selectionSet: rewrite(fragment.selectionSet, condition, path),
        });
      }
    }
    if (isAbstractType(parent)) {
      selections.push({
        kind: Kind.FIELD,
        alias: { kind: Kind.NAME, value: TYPENAME_KEY },
        name: { kind: Kind.NAME, value: '__typename' },
      });
    }
    return { ...selectionSet, selections };
  };

  const selectionSet = rewrite(operation.selectionSet, rootType, []);
  if (denied.length === 0) return undefined;
  const rewritten: OperationDefinitionNode = { ...operation, selectionSet };
  const rootKeys = new Set(
    operation.selectionSet.selections.map((s) => (s.kind === Kind.FIELD ? (s.alias?.value ?? s.name.value) : '')),
  );
  const nothingLeft = [...rootKeys].every(
    (key) => key !== '' && denied.some((path) => path.length === 1 && path[0] === key),
  );

  const nullDenied = (value: unknown, set: SelectionSetNode, parent: GraphQLCompositeType): void => {
    if (value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      for (const item of value) nullDenied(item, set, parent);
      return;
    }
    const data = value as Record<string, unknown>;
    const runtime = typeof data[TYPENAME_KEY] === 'string' ? schema.getType(data[TYPENAME_KEY] as string) : parent;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const key = selection.alias?.value ?? selection.name.value;
        if (replaced.has(selection)) {
          data[key] = null;
          continue;
        }
        if (!selection.selectionSet || !('getFields' in parent)) continue;
        const field = parent.getFields()[selection.name.value];
        const named = field && getNamedType(field.type);
        if (named && isCompositeType(named)) nullDenied(data[key], selection.selectionSet, named);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const condition = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        if (!condition || !isCompositeType(condition)) continue;
        const applies =
          !runtime ||
          condition === runtime ||
          (isAbstractType(condition) && isObjectType(runtime) && schema.isSubType(condition, runtime));
        if (applies) nullDenied(data, selection.selectionSet, condition);
      }
    }
    delete data[TYPENAME_KEY];
  };

  return {
    document: { kind: Kind.DOCUMENT, definitions: [rewritten] },
    denied,
    nothingLeft,
    nullDenied: (data) => nullDenied(data, selectionSet, rootType),
  };
}

function listMarkers(type: GraphQLOutputType): '@'[] {
  const markers: '@'[] = [];
  let current: GraphQLOutputType = type;
  for (;;) {
    if (isNonNullType(current)) current = current.ofType;
    else if (isListType(current)) {
      markers.push('@');
      current = current.ofType;
    } else return markers;
  }
}
