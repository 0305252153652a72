import { Kind, type ConstDirectiveNode, type DocumentNode } from 'graphql';
import type { Identity } from './identity.js';

/**
 * What `@authenticated` and `@requiresScopes` ask of the caller, per type (`"Post"`) and field
 * (`"Post.body"`). A field is allowed when every rule of the field and of the type it returns holds.
 * `scopes` is Federation's shape: the outer list is OR, each inner list AND.
 */
export interface AccessRule {
  readonly authenticated: boolean;
  readonly scopes: readonly (readonly string[])[] | undefined;
}

export type Requirements = ReadonlyMap<string, readonly AccessRule[]>;

function ruleOf(directives: readonly ConstDirectiveNode[] | undefined): AccessRule[] {
  const rules: AccessRule[] = [];
  for (const directive of directives ?? []) {
    if (directive.name.value === 'authenticated') rules.push({ authenticated: true, scopes: undefined });
    if (directive.name.value === 'requiresScopes') {
      const argument = directive.arguments?.find((arg) => arg.name.value === 'scopes');
      const scopes: string[][] = [];
      if (argument?.value.kind === Kind.LIST) {
        for (const group of argument.value.values) {
          if (group.kind !== Kind.LIST) continue;
          scopes.push(group.values.flatMap((value) => (value.kind === Kind.STRING ? [value.value] : [])));
        }
      }
      rules.push({ authenticated: true, scopes });
    }
  }
  return rules;
}

/** Reads the security directives of a subgraph or supergraph SDL. */
export function requirementsFromSdl(document: DocumentNode): Requirements {
  const requirements = new Map<string, AccessRule[]>();
  const add = (key: string, rules: AccessRule[]) => {
    if (rules.length > 0) requirements.set(key, [...(requirements.get(key) ?? []), ...rules]);
  };
  for (const definition of document.definitions) {
    switch (definition.kind) {
      case Kind.OBJECT_TYPE_DEFINITION:
      case Kind.OBJECT_TYPE_EXTENSION:
      case Kind.INTERFACE_TYPE_DEFINITION:
      case Kind.INTERFACE_TYPE_EXTENSION:
        add(definition.name.value, ruleOf(definition.directives));
        for (const field of definition.fields ?? [])
          add(`${definition.name.value}.${field.name.value}`, ruleOf(field.directives));
        break;
      case Kind.UNION_TYPE_DEFINITION:
      case Kind.ENUM_TYPE_DEFINITION:
      case Kind.SCALAR_TYPE_DEFINITION:
        add(definition.name.value, ruleOf(definition.directives));
        break;
      default:
        break;
    }
  }
  return requirements;
}

/** Whether `identity` satisfies every rule (no rules: allowed, also anonymously). */
export function satisfies(rules: readonly AccessRule[] | undefined, identity: Identity | undefined): boolean {
  if (!rules || rules.length === 0) return true;
  if (!identity) return false;
  return rules.every(
    (rule) =>
      rule.scopes === undefined || rule.scopes.some((group) => group.every((scope) => identity.scopes.includes(scope))),
  );
}
