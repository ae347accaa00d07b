import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { Counter } from 'prom-client';
import { METRIC_PREFIX, registry } from '../../monitoring/registry.js';

const lookups = new Counter<'result'>({
  name: `${METRIC_PREFIX}predict_cache_lookups_total`,
  help: 'Predict answers looked up in the in-process cache, by result (hit, miss). Hit rate: hit / (hit + miss).',
  labelNames: ['result'],
  registers: [registry],
});

/**
 * Answers to identical predict inputs, per web process, bounded (least recently used dropped). The
 * key is the exact version id + a hash of the instances, so an alias moved to another version never
 * gets the old version's answer: it resolves to a different id first. `entries` 0 turns it off.
 */
export class PredictionCache<Answer extends NonNullable<unknown>> {
  private readonly cache: LRUCache<string, Answer> | null;

  constructor(entries: number) {
    this.cache = entries > 0 ? new LRUCache<string, Answer>({ max: entries }) : null;
  }

  get enabled(): boolean {
    return this.cache !== null;
  }

  keyOf(versionId: number, instances: unknown): string {
    return `${versionId}:${createHash('sha1').update(JSON.stringify(instances)).digest('base64')}`;
  }

  get(key: string): Answer | undefined {
    if (!this.cache) return undefined;
    const answer = this.cache.get(key);
    lookups.inc({ result: answer === undefined ? 'miss' : 'hit' });
    return answer;
  }

  set(key: string, answer: Answer): void {
    this.cache?.set(key, answer);
  }
}
