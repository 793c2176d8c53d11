// Typed errors with stable codes and the path or value at fault, shared by every layer.

/** One problem found in an input, with a stable code and the JSON path at fault. */
export interface Issue {
  code: string;
  path: string;
  message: string;
}

/** An error a caller can act on: `code` is stable, `path` names what is at fault. */
export class HasnError extends Error {
  readonly code: string;
  readonly path: string | undefined;
  readonly issues: readonly Issue[];

  constructor(code: string, message: string, options: { path?: string; issues?: readonly Issue[]; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HasnError';
    this.code = code;
    this.path = options.path;
    this.issues = options.issues ?? [];
  }

  toJSON(): { code: string; message: string; path?: string; issues?: readonly Issue[] } {
    return {
      code: this.code,
      message: this.message,
      ...(this.path === undefined ? {} : { path: this.path }),
      ...(this.issues.length === 0 ? {} : { issues: this.issues }),
    };
  }
}

/** Formats a path of keys/indices the way users see it in messages: `projections[2].weight`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(root)' : out;
}

export function isHasnError(value: unknown): value is HasnError {
  return value instanceof HasnError;
}
