/** Loads every tree view's rows through an in-process adapter, as the extension does through a session. */
import { VIEW_SPECS } from '../../src/extension/views/specs';
import type { ViewResult } from '../../src/extension/views/model';
import type { InProcessClient } from '../adapter/inProcessClient';

export const VIEW_SPEC_IDS = VIEW_SPECS.map((s) => s.id);

export async function loadAllViews(client: InProcessClient, address?: string): Promise<Record<string, ViewResult>> {
  const out: Record<string, ViewResult> = {};
  const request = async (command: string, args?: Record<string, unknown>) => {
    const r = await client.request(command, args);
    if (!r.success) throw new Error(r.message ?? 'request failed');
    return r.body;
  };
  for (const spec of VIEW_SPECS) out[spec.id] = await spec.load({ request, address });
  return out;
}
