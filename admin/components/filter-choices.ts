import { ApiClient } from 'adminjs';

/** The record list's dropdown choices, as the records `filterChoices` action answers them. */
export interface FilterChoices {
  labels: string[];
  versions: Array<{ id: number; name: string }>;
}

const api = new ApiClient();
// One request per dataset for all of the drawer's dropdowns (label, predicted label, scored by).
const cache = new Map<string, Promise<FilterChoices>>();

/** The choices for the dataset the list is filtered by ('' : every dataset). */
export function loadFilterChoices(datasetId: string): Promise<FilterChoices> {
  let choices = cache.get(datasetId);
  if (!choices) {
    choices = api
      .resourceAction({
        resourceId: 'records',
        actionName: 'filterChoices',
        params: datasetId ? { datasetId } : {},
      })
      .then((response) => (response.data as { choices?: FilterChoices }).choices ?? { labels: [], versions: [] });
    choices.catch(() => cache.delete(datasetId));
    cache.set(datasetId, choices);
  }
  return choices;
}
