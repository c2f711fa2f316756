/**
 * A field `replace` (a type change: Coveo cannot change the type of a field, so it is deleted and created
 * again). A field that a source maps cannot be deleted (the emulator answers 412 FIELD_IN_USE, as the
 * admin console refuses it), so an apply that changed the type of a mapped field would fail the same way
 * every time. The mappings of the field are taken off the sources that hold them first, and put back as
 * they were once the field exists again (also when the delete or the create failed). Source writes send
 * the safe flags; the sources are touched, so their changes are applied at the end of the apply.
 */
import type { JsonObject } from '../../core/json.js';
import type { ReplaceStep } from '../../core/types.js';
import { asArray, asObject, asString } from '../common.js';
import type { ApplyContext } from '../ops-types.js';
import { SAFE_SOURCE_FLAGS, stripServerManaged } from '../sources/ops.js';
import { seg } from '../wire.js';

const mapsField = (mapping: unknown, field: string): boolean => {
  const m = asObject(mapping);
  return m['fieldName'] === field || m['field'] === field;
};

export async function replaceField(step: ReplaceStep, ctx: ApplyContext, body: JsonObject): Promise<void> {
  const field = step.id as string;
  const candidates = ctx
    .liveDtos('sources')
    .filter((src) => asArray(src['mappings']).some((m) => mapsField(m, field)))
    .map((src) => asString(src['id']))
    .filter((id): id is string => id !== undefined);
  // Read each source again right before writing it, so nothing changed since the plan is lost.
  const saved: { readonly id: string; readonly raw: JsonObject }[] = [];
  let failure: { readonly error: unknown } | undefined;
  try {
    for (const id of candidates) {
      const raw = stripServerManaged(asObject(await ctx.client.request<JsonObject>({ method: 'GET', path: `/sources/${seg(id)}/raw`, label: 'sources' })));
      const mappings = asArray(raw['mappings']);
      if (!mappings.some((m) => mapsField(m, field))) continue;
      await ctx.client.request({ method: 'PUT', path: `/sources/${seg(id)}/raw`, query: SAFE_SOURCE_FLAGS, body: { ...raw, mappings: mappings.filter((m) => !mapsField(m, field)) }, label: 'sources' });
      saved.push({ id, raw });
    }
    await ctx.client.request({ method: 'DELETE', path: `/indexes/fields/${seg(field)}`, label: 'fields' });
    await ctx.client.request({ method: 'POST', path: '/indexes/fields', body, label: 'fields' });
  } catch (error) {
    failure = { error };
  }
  for (const { id, raw } of saved) await ctx.client.request({ method: 'PUT', path: `/sources/${seg(id)}/raw`, query: SAFE_SOURCE_FLAGS, body: raw, label: 'sources' });
  if (failure) throw failure.error;
}
