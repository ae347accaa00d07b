import { QueryTypes, type Sequelize } from 'sequelize';
import type { ApiScope, Role } from '../../../models/enums.js';
import type { Actor } from '../../access/actor.js';
import { changeNotifications } from '../../db/change-notifications.js';
import { Unauthenticated } from '../../errors/domain-error.js';
import { logger } from '../../platform/logger.js';
import { keyMatches, prefixOf } from './key-secret.js';

export interface KeyHolder {
  actor: Extract<Actor, { type: 'api_key' }>;
  scopes: ReadonlySet<ApiScope>;
  /** Requests per minute; null: the server default. */
  rateLimit: number | null;
}

interface KeyRow {
  id: number;
  prefix: string;
  owner_id: number;
  secret_hash: string;
  scopes: ApiScope[];
  rate_limit: number | null;
  expires_at: Date | null;
  revoked_at: Date | null;
  role: Role;
  active: boolean;
}

/** A cached key is dropped on any change (NOTIFY), and looked up again after this long regardless. */
const TTL_LISTENING_MS = 60_000;
const MAX_CACHED = 10_000;
const LAST_USED_EVERY_MS = 60_000;

const INVALID =
  'The API key is not valid: check that the whole key was sent as "Authorization: Bearer mdk_…", or ask an administrator for a new one.';

/**
 * Checks a bearer key on every API request without a query per request: keys are cached per process
 * by prefix (including "no such prefix") and dropped when api_keys or users change in any process
 * (NOTIFY), so a revocation, a scope change or the owner's deactivation applies within milliseconds.
 */
export class KeyAuthenticator {
  private readonly cache = new Map<string, { row: KeyRow | null; at: number }>();
  private readonly lastUsedWritten = new Map<number, number>();
  private readonly unsubscribe: Array<() => void>;

  constructor(private readonly sequelize: Sequelize) {
    const clear = () => this.cache.clear();
    this.unsubscribe = [changeNotifications.on('api_keys', clear), changeNotifications.on('users', clear)];
  }

  close(): void {
    for (const off of this.unsubscribe) off();
  }

  async authenticate(key: string, now = Date.now()): Promise<KeyHolder> {
    const prefix = prefixOf(key);
    if (!prefix) throw new Unauthenticated('auth.invalid_key', INVALID);
    const row = await this.lookup(prefix, now);
    if (!row || !keyMatches(key, row.secret_hash)) throw new Unauthenticated('auth.invalid_key', INVALID);
    if (row.revoked_at)
      throw new Unauthenticated(
        'auth.key_revoked',
        `The API key ${row.prefix} was revoked on ${row.revoked_at.toISOString()}: ask an administrator for a new one.`,
      );
    if (row.expires_at && row.expires_at.getTime() <= now)
      throw new Unauthenticated(
        'auth.key_expired',
        `The API key ${row.prefix} expired on ${row.expires_at.toISOString()}: ask an administrator for a new one.`,
      );
    if (!row.active)
      throw new Unauthenticated(
        'auth.owner_inactive',
        `The API key ${row.prefix} belongs to a deactivated user, so it is refused.`,
      );
    this.touch(row.id, now);
    return {
      actor: { type: 'api_key', id: row.id, prefix: row.prefix, ownerId: row.owner_id, role: row.role },
      scopes: new Set(row.scopes),
      rateLimit: row.rate_limit,
    };
  }

  private async lookup(prefix: string, now: number): Promise<KeyRow | null> {
    const ttl = changeNotifications.trustMs(TTL_LISTENING_MS);
    const cached = this.cache.get(prefix);
    if (cached && now - cached.at < ttl) return cached.row;
    const [row] = await this.sequelize.query<KeyRow>(
      `SELECT k.id, k.prefix, k.owner_id, k.secret_hash, k.scopes, k.rate_limit, k.expires_at, k.revoked_at, u.role, u.active
         FROM api_keys k JOIN users u ON u.id = k.owner_id
        WHERE k.prefix = :prefix`,
      { replacements: { prefix }, type: QueryTypes.SELECT },
    );
    if (this.cache.size >= MAX_CACHED) this.cache.clear();
    this.cache.set(prefix, { row: row ?? null, at: now });
    return row ?? null;
  }

  /** `last_used_at` to the minute: one small write per key per minute per process, off the request's path. */
  private touch(id: number, now: number): void {
    const last = this.lastUsedWritten.get(id) ?? 0;
    if (now - last < LAST_USED_EVERY_MS) return;
    this.lastUsedWritten.set(id, now);
    this.sequelize
      .query('UPDATE api_keys SET last_used_at = now() WHERE id = :id', { replacements: { id } })
      .catch((error: unknown) =>
        logger.warn({ err: error, keyId: id }, 'could not record when an API key was last used'),
      );
  }
}
