import { isMap, isScalar, parseDocument, type Pair, type YAMLMap } from 'yaml';

export interface ValueKey {
  /** Dotted path, e.g. `defaults.resources.limits.cpu`. */
  readonly path: string;
  /** Whether the value is a non-empty map (documented, but its children carry the details). */
  readonly isMap: boolean;
  /** The `# --` comment above the key, without the marker; undefined when there is none. */
  readonly description: string | undefined;
}

/**
 * The `# --` description of a key. yaml attaches the comment above the first key of a map to the map
 * (or, at the top, to the document), so the first key falls back to `enclosingComment`.
 */
function describe(pair: Pair, enclosingComment: string | null | undefined): string | undefined {
  const text = (isScalar(pair.key) ? pair.key.commentBefore : undefined) ?? enclosingComment;
  const marker = text ? /^ ?-- /m.exec(text) : null;
  if (!text || !marker) return undefined;
  return text
    .slice(marker.index + marker[0].length)
    .split('\n')
    .map((line) => line.trim())
    .join(' ')
    .trim();
}

/** Every key of a values.yaml with its `# --` description (helm-docs convention). */
export function valueKeys(text: string): ValueKey[] {
  const document = parseDocument(text);
  const keys: ValueKey[] = [];
  const walk = (map: YAMLMap, prefix: string, enclosingComment: string | null | undefined) => {
    map.items.forEach((pair, index) => {
      const name = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const path = prefix ? `${prefix}.${name}` : name;
      const value = pair.value;
      const nested = isMap(value) && value.items.length > 0;
      keys.push({ path, isMap: nested, description: describe(pair, index === 0 ? enclosingComment : undefined) });
      if (nested) walk(value, path, value.commentBefore);
    });
  };
  if (isMap(document.contents)) walk(document.contents, '', document.commentBefore ?? document.contents.commentBefore);
  return keys;
}
