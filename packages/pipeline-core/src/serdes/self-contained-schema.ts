import type avro from 'avsc';

type JsonObject = Record<string, unknown>;

const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);
const NAMED = new Set(['record', 'error', 'enum', 'fixed']);

const isObject = (json: unknown): json is JsonObject =>
  typeof json === 'object' && json !== null && !Array.isArray(json);

/** A name's full name in a namespace, by the Avro specification: a dotted name is already full. */
function fullNameOf(name: string, namespace: string | undefined): string {
  return name.includes('.') || !namespace ? name : `${namespace}.${name}`;
}

/** The namespace a named type's children resolve short names in. */
function namespaceOf(fullName: string): string | undefined {
  const dot = fullName.lastIndexOf('.');
  return dot < 0 ? undefined : fullName.slice(0, dot);
}

/**
 * Rebuilds a schema, calling `onNamed` at each named type definition (with its full name) and `onReference` at
 * each reference to a named type by name; each returns what stands in the result at that place.
 */
function rebuild(
  json: unknown,
  namespace: string | undefined,
  visit: {
    onNamed(fullName: string, definition: JsonObject, rebuildChildren: () => JsonObject): unknown;
    onReference(fullName: string, written: string): unknown;
  },
): unknown {
  if (typeof json === 'string') {
    return PRIMITIVES.has(json) ? json : visit.onReference(fullNameOf(json, namespace), json);
  }
  if (Array.isArray(json)) return json.map((branch) => rebuild(branch, namespace, visit));
  if (!isObject(json)) return json;
  const { type } = json;
  if (typeof type === 'string' && NAMED.has(type) && typeof json.name === 'string') {
    const full = fullNameOf(json.name, typeof json.namespace === 'string' ? json.namespace : namespace);
    const inner = namespaceOf(full);
    return visit.onNamed(full, json, () =>
      Array.isArray(json.fields)
        ? {
            ...json,
            fields: (json.fields as JsonObject[]).map((f) => ({ ...f, type: rebuild(f.type, inner, visit) })),
          }
        : json,
    );
  }
  if (type === 'array') return { ...json, items: rebuild(json.items, namespace, visit) };
  if (type === 'map') return { ...json, values: rebuild(json.values, namespace, visit) };
  return { ...json, type: rebuild(type, namespace, visit) };
}

/**
 * Every named type (record, enum, fixed) defined in `schemas`, at any depth, by full name — each as written,
 * with its full name as its name so that it can be moved into another schema's namespace unchanged.
 */
export function namedTypeDefinitions(schemas: readonly avro.Schema[]): Map<string, JsonObject> {
  const definitions = new Map<string, JsonObject>();
  for (const schema of schemas) {
    rebuild(schema, undefined, {
      onNamed(full, definition, children) {
        const { namespace: _namespace, ...rest } = definition;
        definitions.set(full, { ...rest, name: full });
        return children();
      },
      onReference: (_full, written) => written,
    });
  }
  return definitions;
}

/**
 * A schema that refers to named types of other files, made self-contained: each such type's definition (as
 * written: docs, defaults and logical types kept) is put in at its first use, later uses stay references. What a
 * Schema Registry needs to register a schema without schema references.
 *
 * @param definitions Named types that references may point to ({@link namedTypeDefinitions}).
 */
export function selfContainedSchema(
  schema: avro.Schema,
  definitions: ReadonlyMap<string, JsonObject>,
): avro.Schema {
  const defined = new Set<string>();
  const visit = {
    onNamed(full: string, _definition: JsonObject, children: () => JsonObject): unknown {
      if (defined.has(full)) return full; // put in earlier through a reference
      defined.add(full);
      return children();
    },
    onReference(full: string, written: string): unknown {
      const definition = definitions.get(full);
      if (defined.has(full) || !definition) return written; // an unknown name is left for the parser to report
      return rebuild(definition, undefined, visit);
    },
  };
  return rebuild(schema, undefined, visit) as avro.Schema;
}
