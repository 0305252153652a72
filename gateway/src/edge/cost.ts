import {
  Kind,
  getNamedType,
  getNullableType,
  isCompositeType,
  isInterfaceType,
  isListType,
  isObjectType,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';

/** How the cost of an operation is estimated (in the spirit of Apollo's demand control). */
export interface CostOptions {
  /** Largest estimated cost accepted. Default 25,000. */
  readonly maxCost: number;
  /** Size assumed for a list whose size no slicing argument gives. Default 10. */
  readonly defaultListSize: number;
  /** Cost of each object (or interface, union) in the result. Default 1; scalars and enums cost 0. */
  readonly objectCost: number;
  /** Extra cost of each root mutation field. Default 10. */
  readonly mutationCost: number;
  /** Arguments whose value is the size of the list a field returns (or of its connection's edges). */
  readonly slicingArguments: readonly string[];
}

export const DEFAULT_COST_OPTIONS: CostOptions = {
  maxCost: 25_000,
  defaultListSize: 10,
  objectCost: 1,
  mutationCost: 10,
  slicingArguments: ['first', 'last', 'limit'],
};

type Variables = Readonly<Record<string, unknown>>;
/** A cost known at analysis time, or one that depends on the request's variables. */
type Cost = number | ((variables: Variables) => number);

const add = (a: Cost, b: Cost): Cost =>
  typeof a === 'number' && typeof b === 'number' ? a + b : (v) => evaluate(a, v) + evaluate(b, v);
const multiply = (a: Cost, b: Cost): Cost =>
  typeof a === 'number' && typeof b === 'number' ? a * b : (v) => evaluate(a, v) * evaluate(b, v);
const evaluate = (cost: Cost, variables: Variables): number => (typeof cost === 'number' ? cost : cost(variables));

export interface OperationEstimate {
  readonly cost: Cost;
  /** The operation reads `__schema` or `__type`. */
  readonly introspection: boolean;
}

/**
 * Estimated cost of an operation against the (API) schema: every object in the result costs
 * `objectCost`, lists multiply by their size (a slicing argument's value, a variable's value at
 * request time, the argument's default, or `defaultListSize`), and a slicing argument on a field
 * returning one object (a connection) sizes the lists directly inside it (`edges`, `nodes`).
 * Compiled once per schema, document and operation name; a request then costs a lookup, plus a small
 * evaluation when sizes come from variables.
 */
export class CostEstimator {
  private readonly bySchema = new WeakMap<GraphQLSchema, Map<string, OperationEstimate>>();

  constructor(
    readonly options: CostOptions = DEFAULT_COST_OPTIONS,
    private readonly cacheSize = 2_000,
  ) {}

  estimate(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    documentKey: string,
  ): OperationEstimate {
    let cache = this.bySchema.get(schema);
    if (!cache) this.bySchema.set(schema, (cache = new Map()));
    const key = `${documentKey}:${operation.name?.value ?? ''}`;
    let estimate = cache.get(key);
    if (!estimate) {
      estimate = this.compile(schema, document, operation);
      if (cache.size >= this.cacheSize) cache.delete(cache.keys().next().value as string);
      cache.set(key, estimate);
    }
    return estimate;
  }

  /** The cost of `operation` with these variables. */
  cost(estimate: OperationEstimate, variables: Variables | undefined): number {
    return evaluate(estimate.cost, variables ?? {});
  }

  private compile(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode) {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const definition of document.definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    }
    const root = schema.getRootType(operation.operation);
    const state = { introspection: false };
    const { options } = this;

    const sizeOf = (field: FieldNode, definition: GraphQLField<unknown, unknown>): Cost | undefined => {
      for (const name of options.slicingArguments) {
        const argument = field.arguments?.find((candidate) => candidate.name.value === name);
        const fallback = definition.args.find((arg) => arg.name === name)?.defaultValue;
        const fallbackSize = typeof fallback === 'number' ? fallback : options.defaultListSize;
        if (argument) return literalSize(argument.value, fallbackSize);
        if (typeof fallback === 'number') return fallback;
      }
      return undefined;
    };

    const walk = (
      selectionSet: SelectionSetNode,
      parent: GraphQLCompositeType,
      inheritedSize: Cost | undefined,
      visiting: Set<string>,
      isRoot: boolean,
    ): Cost => {
      let total: Cost = 0;
      for (const selection of selectionSet.selections) {
        if (selection.kind === Kind.INLINE_FRAGMENT) {
          const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
          if (type && isCompositeType(type)) {
            total = add(total, walk(selection.selectionSet, type, inheritedSize, visiting, isRoot));
          }
          continue;
        }
        if (selection.kind === Kind.FRAGMENT_SPREAD) {
          const fragment = fragments.get(selection.name.value);
          if (!fragment || visiting.has(fragment.name.value)) continue;
          const type = schema.getType(fragment.typeCondition.name.value);
          if (!type || !isCompositeType(type)) continue;
          visiting.add(fragment.name.value);
          total = add(total, walk(fragment.selectionSet, type, inheritedSize, visiting, isRoot));
          visiting.delete(fragment.name.value);
          continue;
        }
        const name = selection.name.value;
        if (name === '__schema' || name === '__type') state.introspection = true;
        if (name.startsWith('__')) continue;
        const definition = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined;
        if (!definition) continue;
        const named = getNamedType(definition.type);
        const list = isListType(getNullableType(definition.type));
        const size = sizeOf(selection, definition);
        const multiplier: Cost = list ? (size ?? inheritedSize ?? options.defaultListSize) : 1;
        let own: Cost = 0;
        if (isCompositeType(named)) {
          const children = selection.selectionSet
            ? walk(selection.selectionSet, named, list ? undefined : size, visiting, false)
            : 0;
          own = add(options.objectCost, children);
        }
        if (isRoot && operation.operation === 'mutation') own = add(own, options.mutationCost);
        total = add(total, multiply(multiplier, own));
      }
      return total;
    };

    const cost = root ? walk(operation.selectionSet, root, undefined, new Set(), true) : 0;
    return { cost, introspection: state.introspection };
  }
}

function literalSize(value: ValueNode, fallback: number): Cost {
  if (value.kind === Kind.INT) return Math.max(0, Number(value.value));
  if (value.kind === Kind.VARIABLE) {
    const name = value.name.value;
    return (variables) => {
      const given = variables[name];
      return typeof given === 'number' && Number.isFinite(given) ? Math.max(0, given) : fallback;
    };
  }
  return fallback;
}
