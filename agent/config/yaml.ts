// YAML reading for the agent config: the one module that imports `yaml`; syntax errors come back as issues with line and column.
import { parse, parseDocument } from 'yaml';
import type { Issue } from '../../core/errors.ts';

export interface YamlResult {
  value: unknown;
  issues: Issue[];
}

/** Parses a YAML document; every syntax error is an E_CONFIG_YAML issue located by line:column. */
export function parseYamlDocument(text: string, fileName: string): YamlResult {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const issues: Issue[] = doc.errors.map((error) => {
    const at = error.linePos?.[0];
    return {
      code: 'E_CONFIG_YAML',
      path: at === undefined ? fileName : `${fileName}:${at.line}:${at.col}`,
      message: error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, ''),
    };
  });
  if (issues.length > 0) return { value: undefined, issues };
  return { value: doc.toJS({ maxAliasCount: 100 }) as unknown, issues: [] };
}

/** One scalar (or flow collection) as YAML reads it: "8081" → 8081, "true" → true, "[1, 2]" → [1, 2]; otherwise the text. */
export function parseYamlValue(text: string): unknown {
  if (text.trim() === '') return text;
  try {
    return parse(text) as unknown;
  } catch {
    return text;
  }
}
