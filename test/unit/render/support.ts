/** Shared helpers for renderer tests. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';

export const PLAN_SCHEMA = JSON.parse(readFileSync(fileURLToPath(new URL('../../../schemas/plan.schema.json', import.meta.url)), 'utf8')) as Record<string, unknown>;

const ajv = new Ajv2020({ allErrors: true, strict: true });
ajv.addSchema(PLAN_SCHEMA);
const validateRoot = ajv.compile({ $ref: 'urn:coveo-sync:schema:plan:1' });
const validatePlanDef = ajv.compile({ $ref: 'urn:coveo-sync:schema:plan:1#/$defs/plan' });

/** Schema errors of a document (the envelope or a bare plan), as short strings; empty when valid. */
export function schemaErrors(doc: unknown, which: 'root' | 'plan' = 'root'): string[] {
  const validate = which === 'root' ? validateRoot : validatePlanDef;
  return validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
}

/** Every string anywhere in a JSON document. */
export function allStrings(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) allStrings(x, out);
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) {
    out.push(k);
    allStrings(x, out);
  }
  return out;
}

// eslint-disable-next-line no-control-regex
export const stripAnsi = (s: string): string => s.replace(/\u001b\[\d+m/g, '');
