import type { ActionResponse, RecordJSON } from 'adminjs';
import { aliasesOfVersions } from '../../src/registry/version-aliases.js';

/** After list and show of versions: `params.aliases` = "production, staging" for the Aliases column. */
export async function addVersionAliases(response: ActionResponse): Promise<ActionResponse> {
  const records = [
    ...((response.records ?? []) as RecordJSON[]),
    ...(response.record ? [response.record as RecordJSON] : []),
  ];
  const aliases = await aliasesOfVersions(records.map((r) => Number(r.id)).filter(Number.isInteger));
  for (const r of records) r.params.aliases = (aliases.get(Number(r.id)) ?? []).join(', ');
  return response;
}
