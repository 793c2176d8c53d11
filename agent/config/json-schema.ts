// The JSON Schema of the agent config, generated from the zod schema (never hand-kept), for editors' YAML completion.
//
// agent/config/agent-config.schema.json is this output, committed so editors can point at it
// (`# yaml-language-server: $schema=…`); a test fails when it is stale. Regenerate with
// `hasn config schema > agent/config/agent-config.schema.json`.
import { z } from 'zod';
import { AgentConfig } from './schema.ts';

export function agentConfigJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(AgentConfig, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return {
    ...schema,
    title: 'HASN agent configuration (/etc/hasn/agent.yaml)',
  };
}

export function agentConfigJsonSchemaText(): string {
  return `${JSON.stringify(agentConfigJsonSchema(), null, 2)}\n`;
}
