import type { Config } from '../platform/config.js';

/** What tunes a scoring job. Built once by whoever runs it (the job handler, from the configuration). */
export interface ScoringSettings {
  /** Records read, scored and committed per step: memory and checkpoint granularity. */
  chunkRows: number;
}

export function scoringSettings(config: Pick<Config, 'SCORE_CHUNK_ROWS'>): ScoringSettings {
  return { chunkRows: config.SCORE_CHUNK_ROWS };
}
