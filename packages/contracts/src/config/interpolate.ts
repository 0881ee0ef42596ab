/**
 * `${...}` placeholders in config values (DESIGN.md §4, thesis figure 22).
 *
 * - `${some.key}` names another key of the same file by its dotted path (`${csv-events-base-folder}`). The
 *   environment overrides it through the key's relaxed name: CSV_EVENTS_BASE_FOLDER (upper case, `.` and `-` as `_`).
 * - `${NAME}` / `${NAME:default}` reads the environment variable NAME, falling back to the default.
 *
 * A key reference wins over an environment variable of the same spelling; a placeholder that resolves to neither
 * is a problem reported with the key path where it appears.
 */

export interface InterpolationProblem {
  path: string;
  message: string;
}

const PLACEHOLDER = /\$\{([^}:]+)(?::([^}]*))?\}/g;

/** CSV_EVENTS_BASE_FOLDER for csv-events-base-folder: the environment name that overrides a key. */
export function relaxedEnvName(keyPath: string): string {
  return keyPath.toUpperCase().replace(/[.-]/g, '_');
}

function lookup(root: unknown, dotted: string): unknown {
  let node: unknown = root;
  for (const part of dotted.split('.')) {
    if (node === null || typeof node !== 'object' || !(part in node)) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

/**
 * Returns a copy of `root` with every placeholder in string values resolved. Key references are resolved
 * recursively (a referenced value may itself contain placeholders); cycles are reported.
 */
export function interpolate(
  root: unknown,
  env: NodeJS.ProcessEnv,
): { value: unknown; problems: InterpolationProblem[] } {
  const problems: InterpolationProblem[] = [];

  const resolveString = (text: string, path: string, seen: readonly string[]): string =>
    text.replace(PLACEHOLDER, (whole, rawName: string, fallback: string | undefined) => {
      const name = rawName.trim();
      const referenced = lookup(root, name);
      if (referenced !== undefined && (typeof referenced === 'string' || typeof referenced === 'number')) {
        const override = env[relaxedEnvName(name)];
        if (override !== undefined) return override;
        if (seen.includes(name)) {
          problems.push({
            path,
            message: `\${${name}} refers to itself through ${[...seen, name].join(' -> ')}`,
          });
          return whole;
        }
        return resolveString(String(referenced), path, [...seen, name]);
      }
      const fromEnv = env[name];
      if (fromEnv !== undefined) return fromEnv;
      if (fallback !== undefined) return fallback;
      problems.push({
        path,
        message: `\${${name}} is neither a key of this file nor a set environment variable`,
      });
      return whole;
    });

  const walk = (node: unknown, path: string): unknown => {
    if (typeof node === 'string') return resolveString(node, path, []);
    if (Array.isArray(node)) return node.map((item, i) => walk(item, `${path}[${i}]`));
    if (node !== null && typeof node === 'object') {
      return Object.fromEntries(
        Object.entries(node as Record<string, unknown>).map(([k, v]) => [
          k,
          walk(v, path ? `${path}.${k}` : k),
        ]),
      );
    }
    return node;
  };

  return { value: walk(root, ''), problems };
}
