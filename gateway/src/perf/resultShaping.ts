/**
 * A faster drop-in for `@apollo/gateway`'s `computeResponse` (dist/resultShaping.js), the pass that
 * shapes the merged subgraph data into the client's response (aliases, `__typename`, fragments, null
 * propagation, leaf validation). The original asks the operation's objects the same questions for
 * every value of the result (directives, response names, field types, through federation-internals'
 * getters); on deep results that was the largest single cost of a request after garbage collection.
 *
 * Here the operation is first compiled into plain records — once per request, which costs as much as
 * one walk over the operation, not over the data, so nothing is cached and nothing can go stale —
 * and the data walk then reads only those records. `@skip`/`@include` are decided during compilation
 * (the variables are known); behaviour, error messages and paths are the original's, which the tests
 * compare value for value.
 */
import { createRequire } from 'node:module';
import * as internals from '@apollo/federation-internals';
import type { GraphQLError } from 'graphql';

type Operation = internals.Operation;
type Schema = internals.Schema;
type Type = internals.Type;
type CompositeType = internals.CompositeType;
type Selection = internals.Selection;
type SelectionSet = internals.SelectionSet;
type Directive = ReturnType<Selection['element']['appliedDirectivesOf']>[number];

// Bound once: every access through the package's re-export getters costs a call.
const assert: typeof internals.assert = internals.assert;
const {
  ERRORS,
  Variable,
  isCompositeType,
  isListType,
  isNonNullType,
  isObjectType,
  isSubtype,
  isValidLeafValue,
  typenameFieldName,
} = internals;

type Variables = Record<string, unknown>;

/** A value's type, unwrapped once into plain records. */
type TypePlan =
  | { readonly kind: 'nonNull'; readonly type: Type; readonly of: TypePlan }
  | { readonly kind: 'list'; readonly type: Type; readonly of: TypePlan }
  | { readonly kind: 'composite'; readonly type: CompositeType }
  | { readonly kind: 'leaf'; readonly type: Type };

type SelectionPlan =
  | {
      readonly kind: 'field';
      readonly responseName: string;
      readonly isTypename: boolean;
      readonly type: TypePlan;
      readonly selections: readonly SelectionPlan[] | undefined;
    }
  | { readonly kind: 'introspection'; readonly responseName: string; readonly selection: Selection }
  | {
      readonly kind: 'fragment';
      readonly typeCondition: CompositeType | undefined;
      readonly selections: readonly SelectionPlan[];
    };

interface Parameters {
  readonly schema: Schema;
  readonly errors: GraphQLError[];
  readonly introspectionHandling: (selection: Selection) => unknown;
}

const OK = 0;
const NULL_BUBBLE_UP = 1;
type ApplyResult = typeof OK | typeof NULL_BUBBLE_UP;

const hasOwn = Object.prototype.hasOwnProperty;

function ifValue(directive: Directive, variables: Variables): unknown {
  const ifArg = (directive.arguments() as { if: unknown }).if;
  if (ifArg instanceof Variable) {
    const value = variables[ifArg.name];
    assert(
      value !== undefined && typeof value === 'boolean',
      () => `Unexpected value ${String(value)} for variable ${String(ifArg)} of ${String(directive)}`,
    );
    return value;
  }
  return ifArg;
}

function shouldSkip(element: Selection['element'], schema: Schema, variables: Variables): boolean {
  if (element.appliedDirectives.length === 0) return false;
  const skip = element.appliedDirectivesOf(schema.skipDirective())[0] as Directive | undefined;
  const include = element.appliedDirectivesOf(schema.includeDirective())[0] as Directive | undefined;
  return Boolean((skip && ifValue(skip, variables)) || (include && !ifValue(include, variables)));
}

function planType(type: Type): TypePlan {
  if (isNonNullType(type)) return { kind: 'nonNull', type, of: planType(type.ofType) };
  if (isListType(type)) return { kind: 'list', type, of: planType(type.ofType) };
  if (isCompositeType(type)) return { kind: 'composite', type };
  return { kind: 'leaf', type };
}

function compile(selectionSet: SelectionSet, schema: Schema, variables: Variables): SelectionPlan[] {
  const plans: SelectionPlan[] = [];
  for (const selection of selectionSet.selections()) {
    if (shouldSkip(selection.element, schema, variables)) continue;
    if (selection.kind === 'FieldSelection') {
      const field = selection.element;
      const responseName = field.responseName();
      if (field.definition.isSchemaIntrospectionField()) {
        plans.push({ kind: 'introspection', responseName, selection });
        continue;
      }
      plans.push({
        kind: 'field',
        responseName,
        isTypename: field.name === typenameFieldName,
        type: planType(field.definition.type!),
        selections: selection.selectionSet ? compile(selection.selectionSet, schema, variables) : undefined,
      });
    } else {
      plans.push({
        kind: 'fragment',
        typeCondition: selection.element.typeCondition,
        selections: compile(selection.selectionSet, schema, variables),
      });
    }
  }
  return plans;
}

type Path = (string | number)[];

function pathLastElementDescription(path: Path, currentType: Type, parentType: CompositeType): string {
  const element = path[path.length - 1];
  assert(element !== undefined, 'Should not have been called on an empty path');
  return typeof element === 'string'
    ? `field ${String(parentType)}.${element}`
    : `array element of type ${String(currentType)} at index ${element}`;
}

function typeConditionApplies(
  schema: Schema,
  typeCondition: CompositeType | undefined,
  typename: string | undefined,
  parentType: CompositeType,
): boolean {
  if (!typeCondition) return true;
  if (typename) {
    const type = schema.type(typename);
    return !!type && isSubtype(typeCondition, type);
  }
  return isSubtype(typeCondition, parentType);
}

type Obj = Record<string, unknown>;

function applySelections(
  input: Obj,
  plans: readonly SelectionPlan[],
  output: Obj,
  parameters: Parameters,
  path: Path,
  parentType: CompositeType,
): ApplyResult {
  for (const plan of plans) {
    if (plan.kind === 'field') {
      const { responseName } = plan;
      const outputValue = output[responseName];
      let inputValue = (hasOwn.call(input, responseName) ? input[responseName] : undefined) ?? null;
      if (plan.isTypename) {
        if (outputValue === undefined) {
          if (inputValue === null && responseName !== typenameFieldName) inputValue = input[typenameFieldName] ?? null;
          const type =
            inputValue !== null && typeof inputValue === 'string'
              ? (parameters.schema.type(inputValue) ?? parentType)
              : parentType;
          if (!isObjectType(type)) return NULL_BUBBLE_UP;
          output[responseName] = type.name;
        }
        continue;
      }
      path.push(responseName);
      const { updated, isInvalid } = updateOutputValue(
        outputValue,
        plan.type,
        inputValue,
        plan.selections,
        path,
        parameters,
        parentType,
      );
      output[responseName] = updated;
      path.pop();
      if (isInvalid) return NULL_BUBBLE_UP;
    } else if (plan.kind === 'introspection') {
      if (output[plan.responseName] === undefined)
        output[plan.responseName] = parameters.introspectionHandling(plan.selection);
    } else {
      const typename = input[typenameFieldName];
      assert(
        !typename || typeof typename === 'string',
        () => `Got unexpected value for __typename: ${String(typename)}`,
      );
      if (typeConditionApplies(parameters.schema, plan.typeCondition, typename as string | undefined, parentType)) {
        const result = applySelections(
          input,
          plan.selections,
          output,
          parameters,
          path,
          plan.typeCondition ?? parentType,
        );
        if (result === NULL_BUBBLE_UP) return NULL_BUBBLE_UP;
      }
    }
  }
  return OK;
}

interface Updated {
  readonly updated: unknown;
  readonly isInvalid?: boolean;
  readonly hasErrors?: boolean;
}

function updateOutputValue(
  outputValue: unknown,
  type: TypePlan,
  inputValue: unknown,
  selections: readonly SelectionPlan[] | undefined,
  path: Path,
  parameters: Parameters,
  parentType: CompositeType,
): Updated {
  assert(inputValue !== undefined, 'Should not pass undefined for `inputValue` to this method');
  if (outputValue === null || (outputValue !== undefined && !selections)) return { updated: outputValue };
  if (type.kind === 'nonNull') {
    const { updated, hasErrors } = updateOutputValue(
      outputValue,
      type.of,
      inputValue,
      selections,
      path,
      parameters,
      parentType,
    );
    if (updated === null) {
      if (!hasErrors) {
        parameters.errors.push(
          ERRORS.INVALID_GRAPHQL.err(
            `Cannot return null for non-nullable ${pathLastElementDescription(path, type.of.type, parentType)}.`,
            { path: Array.from(path) },
          ),
        );
      }
      return { updated, isInvalid: true, hasErrors: true };
    }
    return { updated };
  }
  if (inputValue === null) return { updated: null };
  if (type.kind === 'list') {
    assert(
      Array.isArray(inputValue),
      () => `Invalid non-list value ${String(inputValue)} returned by subgraph for list type ${String(type.type)}`,
    );
    assert(
      outputValue === undefined || Array.isArray(outputValue),
      () => `Invalid non-list value ${String(outputValue)} returned by subgraph for list type ${String(type.type)}`,
    );
    const inputList = inputValue as unknown[];
    const outputList =
      outputValue === undefined ? new Array<unknown>(inputList.length).fill(undefined) : (outputValue as unknown[]);
    assert(
      inputList.length === outputList.length,
      () =>
        `[${String(inputList)}].length (${inputList.length}) !== [${String(outputList)}].length (${outputList.length})`,
    );
    let shouldNullify = false;
    let hasErrors = false;
    const updated = new Array<unknown>(outputList.length);
    for (let index = 0; index < outputList.length; index += 1) {
      path.push(index);
      const element = updateOutputValue(
        outputList[index],
        type.of,
        inputList[index],
        selections,
        path,
        parameters,
        parentType,
      );
      path.pop();
      shouldNullify ||= !!element.isInvalid;
      hasErrors ||= !!element.hasErrors;
      updated[index] = element.updated;
    }
    return { updated: shouldNullify ? null : updated, hasErrors };
  }
  if (type.kind === 'composite') {
    assert(selections, () => `Invalid empty selection set for composite type ${String(type.type)}`);
    assert(
      typeof inputValue === 'object',
      () =>
        `Invalid non-object value ${String(inputValue)} returned by subgraph for composite type ${String(type.type)}`,
    );
    assert(
      outputValue === undefined || typeof outputValue === 'object',
      () =>
        `Invalid non-object value ${String(inputValue)} returned by subgraph for composite type ${String(type.type)}`,
    );
    const input = inputValue as Obj;
    const inputTypename = input[typenameFieldName];
    assert(
      inputTypename === undefined || typeof inputTypename === 'string',
      () => `Invalid non-string value ${String(inputTypename)} for __typename at ${String(path)}`,
    );
    let objectType: CompositeType = type.type;
    if (inputTypename) {
      const typenameType = parameters.schema.type(inputTypename as string);
      if (!typenameType || !isCompositeType(typenameType)) {
        parameters.errors.push(
          ERRORS.INVALID_GRAPHQL.err(
            `Invalid __typename found for object at ${pathLastElementDescription(path, type.type, parentType)}.`,
            { path: Array.from(path) },
          ),
        );
        return { updated: null, hasErrors: true };
      }
      objectType = typenameType;
    }
    const outputObject = outputValue === undefined ? (Object.create(null) as Obj) : (outputValue as Obj);
    const result = applySelections(input, selections, outputObject, parameters, path, objectType);
    const hasErrors = result === NULL_BUBBLE_UP;
    return { updated: hasErrors ? null : outputObject, hasErrors };
  }
  assert(
    outputValue === undefined,
    () => `Excepted output to be undefined but got ${String(type.type)} for type ${String(type.type)}`,
  );
  const isValidValue = isValidLeafValue(
    parameters.schema,
    inputValue,
    type.type as internals.ScalarType | internals.EnumType,
  );
  if (!isValidValue) {
    parameters.errors.push(
      ERRORS.INVALID_GRAPHQL.err(
        `Invalid value found for ${pathLastElementDescription(path, type.type, parentType)}.`,
        {
          path: Array.from(path),
        },
      ),
    );
  }
  return { updated: isValidValue ? inputValue : null, hasErrors: !isValidValue };
}

export interface ComputeResponseArguments {
  readonly operation: Operation;
  readonly variables?: Variables | undefined;
  readonly input: Obj | null | undefined;
  readonly introspectionHandling: (selection: Selection) => unknown;
}

/** Same contract as `@apollo/gateway`'s `computeResponse`. */
export function computeResponse({ operation, variables, input, introspectionHandling }: ComputeResponseArguments): {
  data: unknown;
  errors: GraphQLError[];
} {
  if (!input) return { data: input, errors: [] };
  const schema = operation.schema();
  const allVariables: Variables = {
    __proto__: null,
    ...operation.collectDefaultedVariableValues(),
    ...variables,
  } as Variables;
  const parameters: Parameters = { schema, errors: [], introspectionHandling };
  const data = Object.create(null) as Obj;
  const result = applySelections(
    input,
    compile(operation.selectionSet, schema, allVariables),
    data,
    parameters,
    [],
    schema.schemaDefinition.rootType(operation.rootKind)!,
  );
  return { data: result === NULL_BUBBLE_UP ? null : data, errors: parameters.errors };
}

type ResultShapingModule = { computeResponse: typeof computeResponse };

/** `@apollo/gateway`'s own result-shaping module: the one its executor calls through at run time. */
export function gatewayResultShaping(): ResultShapingModule {
  const require = createRequire(import.meta.url);
  return require(require.resolve('@apollo/gateway/dist/resultShaping.js')) as ResultShapingModule;
}

let original: ResultShapingModule['computeResponse'] | undefined;

/**
 * Makes `@apollo/gateway`'s executor shape results with `computeResponse` above. Its executor calls
 * `resultShaping_1.computeResponse(...)` through the module's exports object on every request, so
 * replacing that property is enough. Idempotent.
 */
export function installFastResultShaping(): void {
  const module = gatewayResultShaping();
  if (original) return;
  original = module.computeResponse;
  module.computeResponse = computeResponse;
}
