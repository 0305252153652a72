/** Apollo's persisted query manifest format (what `@apollo/generate-persisted-query-manifest` writes). */
export interface PersistedQueryManifest {
  readonly format: 'apollo-persisted-query-manifest';
  readonly version: 1;
  readonly operations: readonly PersistedOperation[];
}

export interface PersistedOperation {
  /** SHA-256 (hex) of `body`. */
  readonly id: string;
  readonly name: string;
  readonly type: 'query' | 'mutation' | 'subscription';
  readonly body: string;
}

/** Parses and checks a manifest; throws with the reason when it is malformed. */
export function parseManifest(text: string): PersistedQueryManifest {
  const value = JSON.parse(text) as Partial<PersistedQueryManifest>;
  if (value.format !== 'apollo-persisted-query-manifest' || value.version !== 1 || !Array.isArray(value.operations)) {
    throw new Error('not an apollo-persisted-query-manifest, version 1');
  }
  for (const operation of value.operations) {
    if (
      typeof operation?.id !== 'string' ||
      !/^[0-9a-f]{64}$/.test(operation.id) ||
      typeof operation.body !== 'string'
    ) {
      throw new Error(`operation ${JSON.stringify(operation?.name)} has no valid id and body`);
    }
  }
  return value as PersistedQueryManifest;
}
