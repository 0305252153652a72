/**
 * Typed environment reading, validated once at start-up.
 *
 * Every deployable declares its variables in one `config.ts` with {@link loadConfig}; a missing or
 * malformed variable fails start-up with a message naming it. `devDefault` values exist for the
 * embedded default only and are refused when `NODE_ENV=production`.
 */
export type Env = Readonly<Record<string, string | undefined>>;

export interface EnvSpec<T> {
  readonly parse: (raw: string | undefined, name: string, env: Env) => T;
  readonly description: string;
}

export type ConfigOf<S extends Record<string, EnvSpec<unknown>>> = {
  readonly [K in keyof S]: S[K] extends EnvSpec<infer T> ? T : never;
};

export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

class VariableError extends Error {}

export function isProduction(source: Env = process.env): boolean {
  return source.NODE_ENV === 'production';
}

interface Options<T> {
  /** Used when the variable is unset, in every mode. */
  readonly default?: T;
  /** Used when the variable is unset outside production; in production the variable is required. */
  readonly devDefault?: T;
  readonly description?: string;
}

function makeSpec<T>(kind: string, convert: (raw: string, name: string) => T, options: Options<T>): EnvSpec<T> {
  return {
    description: options.description ?? kind,
    parse(raw, name, source) {
      if (raw === undefined || raw === '') {
        if (options.default !== undefined) return options.default;
        if (options.devDefault !== undefined) {
          if (isProduction(source)) {
            throw new VariableError(`${name} is required when NODE_ENV=production`);
          }
          return options.devDefault;
        }
        throw new VariableError(`${name} is required (${options.description ?? kind})`);
      }
      return convert(raw, name);
    },
  };
}

function optionalSpec<T>(spec: EnvSpec<T>): EnvSpec<T | undefined> {
  return {
    description: spec.description,
    parse: (raw, name, source) => (raw === undefined || raw === '' ? undefined : spec.parse(raw, name, source)),
  };
}

export const env = {
  string(options: Options<string> = {}): EnvSpec<string> {
    return makeSpec('a string', (raw) => raw, options);
  },
  int(options: Options<number> & { min?: number; max?: number } = {}): EnvSpec<number> {
    return makeSpec(
      'an integer',
      (raw, name) => {
        const value = Number(raw);
        if (!Number.isInteger(value)) throw new VariableError(`${name} must be an integer, got "${raw}"`);
        if (options.min !== undefined && value < options.min) {
          throw new VariableError(`${name} must be at least ${options.min}, got ${value}`);
        }
        if (options.max !== undefined && value > options.max) {
          throw new VariableError(`${name} must be at most ${options.max}, got ${value}`);
        }
        return value;
      },
      options,
    );
  },
  port(options: Options<number> = {}): EnvSpec<number> {
    return env.int({ ...options, min: 0, max: 65535, description: options.description ?? 'a TCP port' });
  },
  bool(options: Options<boolean> = {}): EnvSpec<boolean> {
    return makeSpec(
      'true or false',
      (raw, name) => {
        if (/^(1|true|yes|on)$/i.test(raw)) return true;
        if (/^(0|false|no|off)$/i.test(raw)) return false;
        throw new VariableError(`${name} must be true or false, got "${raw}"`);
      },
      options,
    );
  },
  url(options: Options<string> & { protocols?: readonly string[] } = {}): EnvSpec<string> {
    return makeSpec(
      'a URL',
      (raw, name) => {
        let parsed: URL;
        try {
          parsed = new URL(raw);
        } catch {
          throw new VariableError(`${name} must be a URL, got "${raw}"`);
        }
        if (options.protocols && !options.protocols.includes(parsed.protocol.replace(/:$/, ''))) {
          throw new VariableError(`${name} must use ${options.protocols.join(' or ')}, got "${parsed.protocol}"`);
        }
        return raw;
      },
      options,
    );
  },
  oneOf<const T extends string>(values: readonly T[], options: Options<T> = {}): EnvSpec<T> {
    return makeSpec(
      `one of ${values.join(', ')}`,
      (raw, name) => {
        if (!(values as readonly string[]).includes(raw)) {
          throw new VariableError(`${name} must be one of ${values.join(', ')}, got "${raw}"`);
        }
        return raw as T;
      },
      options,
    );
  },
  optional<T>(spec: EnvSpec<T>): EnvSpec<T | undefined> {
    return optionalSpec(spec);
  },
};

/** Reads and validates every variable of `spec`, reporting all problems at once. */
export function loadConfig<S extends Record<string, EnvSpec<unknown>>>(
  spec: S,
  source: Env = process.env,
): ConfigOf<S> {
  const problems: string[] = [];
  const result: Record<string, unknown> = {};
  for (const [name, variable] of Object.entries(spec)) {
    try {
      result[name] = variable.parse(source[name], name, source);
    } catch (error) {
      if (error instanceof VariableError) problems.push(error.message);
      else throw error;
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return result as ConfigOf<S>;
}
