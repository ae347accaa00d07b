import { QueryTypes, type Transaction } from 'sequelize';
import { sequelizeOf } from '../../models/index.js';
import { actorId, actorLabel, type Actor } from '../access/actor.js';
import { logger } from '../platform/logger.js';
import {
  currentRequestContext,
  normaliseIp,
  runWithRequestContext,
  type RequestContext,
} from '../platform/request-context.js';
import { appendAuditEvent, type AuditEntry } from './append-audit-event.js';

/**
 * Refusals of one kind (same actor, action, resource and reason code) written as audit events of
 * their own in each minute. A person who is refused a few times sees each attempt in the log; a
 * script that repeats a refused request thousands of times adds these plus one summary per minute.
 */
export const REFUSALS_LOGGED_PER_MINUTE = 10;
/** Refusals of one actor, of any kinds, written as events of their own in each minute (see recordRefusal). */
export const REFUSALS_LOGGED_PER_ACTOR_MINUTE = 50;

/** What was attempted: the event's fields but its outcome and reason. */
export type RefusedAttempt = Omit<AuditEntry, 'outcome' | 'reason'>;

/** Why: a stable code and the message the person was shown (a `Forbidden` is one). */
export interface RefusalReason {
  code: string;
  message: string;
}

/** The summary event's `selection`: how many refusals it stands for, and when. */
export interface RepeatedRefusals {
  repeatedRefusals: number;
  minute: string;
  lastAt: string;
}

/**
 * THE way a refusal (outcome `denied`) enters the audit log, whatever refused it: the access rules
 * of the console and the API, a service's own check, the CSRF check. One format: who (actor, role),
 * what (action, resource, record ids, selection), why (`<code>: <message>`), and the request's IP,
 * user agent and id from the request context.
 *
 * Bounded: per (actor, action, resource, reason code) and minute, the first REFUSALS_LOGGED_PER_MINUTE
 * refusals are events of their own; later ones are only counted, in `audit_refusal_counts` (Postgres,
 * so every web process counts into the same row), and once their minute is over they are written as
 * ONE summary event with the same who/what/why and `selection: { repeatedRefusals, minute, lastAt }`.
 * Past REFUSALS_LOGGED_PER_ACTOR_MINUTE refusals of an actor in a minute, whatever their kinds, the
 * rest go to one row of action `audit.refusals` and one summary. So one actor adds at most
 * REFUSALS_LOGGED_PER_ACTOR_MINUTE events of their own plus a summary per kind that passed its limit
 * (at most 50 / 10 = 5) plus one, per minute; and every refusal is counted in the log.
 */
export async function recordRefusal(actor: Actor, attempt: RefusedAttempt, why: RefusalReason): Promise<void> {
  recorded.add(why);
  const sequelize = sequelizeOf();
  const context = currentRequestContext();
  const reason = `${why.code}: ${why.message}`;
  const ip = normaliseIp(context?.ip) ?? null;
  const key = actorKey(actor, ip);
  attempt = { ...attempt, action: auditableAction(attempt.action) };
  const request = {
    actor: JSON.stringify(actor),
    ip,
    userAgent: context?.userAgent?.slice(0, 512) ?? null,
    requestId: context?.requestId ?? null,
  };
  let counted = 0;
  let limit = REFUSALS_LOGGED_PER_MINUTE;
  await sequelize.transaction(async (transaction) => {
    // Kinds are partly named by the request (an action name in a console URL), so one actor could
    // make a new kind per request: past REFUSALS_LOGGED_PER_ACTOR_MINUTE refusals of any kind in a
    // minute, the actor's further refusals are only counted, all in one row.
    const total = await countRefusal(transaction, {
      ...request,
      actorKey: key,
      action: '*',
      resource: '*',
      code: '*',
      reason: '*',
      limit: Number.MAX_SAFE_INTEGER,
    });
    const kind =
      total > REFUSALS_LOGGED_PER_ACTOR_MINUTE
        ? {
            action: FLOOD.action,
            resource: FLOOD.resource,
            code: FLOOD.code,
            reason: `${FLOOD.code}: more than ${REFUSALS_LOGGED_PER_ACTOR_MINUTE} refusals of this actor in one minute, counted here; the first of them: ${reason}`,
            limit: 0,
          }
        : {
            action: attempt.action,
            resource: attempt.resource,
            code: why.code,
            reason,
            limit: REFUSALS_LOGGED_PER_MINUTE,
          };
    limit = kind.limit;
    counted = await countRefusal(transaction, { ...request, ...kind, actorKey: key });
    // The count and the event commit together: `logged` never claims an event that is not there.
    if (counted <= limit) await appendAuditEvent(actor, { ...attempt, outcome: 'denied', reason }, transaction);
  });
  if (counted > limit) scheduleFlush();
  // A new kind of refusal this minute: a cheap moment to write what earlier minutes left counted.
  if (counted === 1)
    await flushRefusalCounts().catch((error: unknown) =>
      logger.warn({ err: error }, 'could not write counted refusals to the audit log'),
    );
}

/** Refusals (usually `Forbidden` errors) already written, so that an edge mapping the error does not write it twice. */
const recorded = new WeakSet<RefusalReason>();

/** True when `recordRefusal` was called with this error (a service refused and audited it on its way out). */
export function refusalRecorded(why: object): boolean {
  return recorded.has(why as RefusalReason);
}

/** Where refusals of one actor go once they pass REFUSALS_LOGGED_PER_ACTOR_MINUTE in a minute. */
const FLOOD = { action: 'audit.refusals', resource: '*', code: 'audit.refusal_flood' } as const;

/** Adds one refusal to its row of this minute; answers the row's count (the first `limit` are logged one by one). */
async function countRefusal(
  transaction: Transaction,
  row: {
    actorKey: string;
    action: string;
    resource: string;
    code: string;
    reason: string;
    limit: number;
    actor: string;
    ip: string | null;
    userAgent: string | null;
    requestId: string | null;
  },
): Promise<number> {
  const [counted] = await sequelizeOf().query<{ count: number }>(
    `INSERT INTO audit_refusal_counts AS c
       (actor_key, action, resource, reason_code, minute, count, logged, actor, reason, first_at, last_at, last_ip, last_user_agent, last_request_id)
     VALUES (:actorKey, :action, :resource, :code, date_trunc('minute', now()), 1, CASE WHEN :limit >= 1 THEN 1 ELSE 0 END, CAST(:actor AS jsonb), :reason, now(), now(), :ip, :userAgent, :requestId)
     ON CONFLICT (actor_key, action, resource, reason_code, minute) DO UPDATE SET
       count = c.count + 1,
       logged = CASE WHEN c.count + 1 <= :limit THEN c.count + 1 ELSE c.logged END,
       last_at = now(), last_ip = EXCLUDED.last_ip, last_user_agent = EXCLUDED.last_user_agent, last_request_id = EXCLUDED.last_request_id
     RETURNING count`,
    { replacements: row, type: QueryTypes.SELECT, transaction },
  );
  return counted!.count;
}

interface CountRow {
  actor_key: string;
  action: string;
  resource: string;
  reason_code: string;
  minute: Date;
  count: number;
  logged: number;
  actor: Actor;
  reason: string;
  last_at: Date;
  last_ip: string | null;
  last_user_agent: string | null;
  last_request_id: string | null;
}

/**
 * Writes one summary event per counted kind whose minute is over (with `includeCurrentMinute`, the
 * running minute's too: later refusals in it are counted again and summarised by a later flush), and
 * deletes rows whose refusals are all in the log, a minute after theirs ended: a refusal whose
 * transaction began in the last second of a minute still counts into that minute's row, which must
 * not be gone (it would start over and log 10 more events of its own). Safe in any number of processes at once: rows
 * another flush holds are skipped. Answers how many summaries it wrote.
 */
export async function flushRefusalCounts(options: { includeCurrentMinute?: boolean } = {}): Promise<number> {
  const sequelize = sequelizeOf();
  return sequelize.transaction(async (transaction) => {
    const rows = await sequelize.query<CountRow>(
      `SELECT actor_key, action, resource, reason_code, minute, count, logged, actor, reason, last_at, last_ip, last_user_agent, last_request_id
         FROM audit_refusal_counts
        WHERE count > logged ${options.includeCurrentMinute ? '' : `AND minute < date_trunc('minute', now())`}
        ORDER BY minute, last_at
        LIMIT 1000
        FOR UPDATE SKIP LOCKED`,
      { type: QueryTypes.SELECT, transaction },
    );
    for (const row of rows) {
      const selection: RepeatedRefusals = {
        repeatedRefusals: row.count - row.logged,
        minute: new Date(row.minute).toISOString(),
        lastAt: new Date(row.last_at).toISOString(),
      };
      // The summary carries the last counted request's address, agent and id, not the flushing request's.
      const context: RequestContext = {
        requestId: row.last_request_id ?? '',
        ip: row.last_ip ?? undefined,
        userAgent: row.last_user_agent ?? undefined,
      };
      await runWithRequestContext(context, () =>
        appendAuditEvent(
          row.actor,
          {
            action: row.action,
            resource: row.resource,
            selection: { ...selection },
            outcome: 'denied',
            reason: row.reason,
          },
          transaction,
        ),
      );
      await sequelize.query(
        'UPDATE audit_refusal_counts SET logged = count WHERE actor_key = :actor_key AND action = :action AND resource = :resource AND reason_code = :reason_code AND minute = :minute',
        {
          replacements: {
            actor_key: row.actor_key,
            action: row.action,
            resource: row.resource,
            reason_code: row.reason_code,
            minute: row.minute,
          },
          transaction,
        },
      );
    }
    await sequelize.query(
      `DELETE FROM audit_refusal_counts WHERE (actor_key, action, resource, reason_code, minute) IN (
         SELECT actor_key, action, resource, reason_code, minute FROM audit_refusal_counts
          WHERE minute < date_trunc('minute', now()) - interval '1 minute' AND count = logged
          FOR UPDATE SKIP LOCKED)`,
      { transaction },
    );
    return rows.length;
  });
}

/**
 * An action name the audit log accepts (lower-case dotted words): a refused request may name any
 * action in its URL (`/records/1/made-up-name`), and a name the log's check refuses would lose the event.
 */
function auditableAction(action: string): string {
  const cleaned = action
    .toLowerCase()
    .replace(/[^a-z0-9_.]+/g, '_')
    .slice(0, 120);
  return /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/.test(cleaned) ? cleaned : 'unknown.action';
}

/** Who a count belongs to: the user or key, else the kind of actor (anonymous: per address). */
function actorKey(actor: Actor, ip: string | null): string {
  const id = actorId(actor);
  if (id !== null) return `${actor.type}:${id}`;
  return actor.type === 'anonymous' ? `anonymous@${ip ?? 'unknown'}` : actorLabel(actor);
}

let flushTimer: NodeJS.Timeout | null = null;

/**
 * Summaries are written soon after their minute ends even when no further refusal comes: this
 * process wakes once, just after the minute, while it has counted refusals. (Another process, or the
 * next refusal of any kind, writes them if this one stops first: the counts are in Postgres.)
 */
function scheduleFlush(): void {
  if (flushTimer) return;
  const delay = 60_000 - (Date.now() % 60_000) + 2_000;
  flushTimer = setTimeout(() => {
    flushTimer = null;
    flushRefusalCounts().catch((error: unknown) =>
      logger.warn({ err: error }, 'could not write counted refusals to the audit log'),
    );
  }, delay);
  flushTimer.unref();
}
