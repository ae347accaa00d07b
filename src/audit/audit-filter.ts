import { Op, Sequelize, type WhereOptions } from 'sequelize';
import * as z from 'zod';
import { AuditOutcome, Role } from '../../models/enums.js';
import { containing } from '../db/containing.js';

const text = z.string().trim().min(1).max(200).optional();
const date = z.coerce.date({ error: 'give a date, e.g. 2026-11-01 or 2026-11-01T12:00:00Z' }).optional();

/**
 * What an auditor can narrow the log to, with the console list's parameter names (`filters.X`,
 * `filters.at~~from`, `filters.at~~to`): text fields match anywhere (case-insensitive), role and
 * outcome exactly, the record id as one of the event's ids, `q` anywhere in the event including its
 * before/after values.
 */
export const AuditFilter = z.object({
  actorLabel: text,
  actorRole: Role.optional(),
  action: text,
  resource: text,
  outcome: AuditOutcome.optional(),
  recordId: text,
  from: date,
  to: date,
  q: text,
});
export type AuditFilter = z.infer<typeof AuditFilter>;

/** Reads the filter from a query string in the console's `filters.X` form (plain names work too). */
export function auditFilterFromQuery(query: Record<string, unknown>): AuditFilter {
  const pick = (name: string) => {
    const value = query[`filters.${name}`] ?? query[name];
    return value === '' || Array.isArray(value) ? undefined : value;
  };
  return AuditFilter.parse({
    actorLabel: pick('actorLabel'),
    actorRole: pick('actorRole'),
    action: pick('action'),
    resource: pick('resource'),
    outcome: pick('outcome'),
    recordId: pick('recordIds') ?? pick('recordId'),
    from: query['filters.at~~from'] ?? pick('from'),
    to: query['filters.at~~to'] ?? pick('to'),
    q: pick('q'),
  });
}

export function auditFilterWhere(filter: AuditFilter): WhereOptions {
  const where: Record<string | symbol, unknown> = {};
  if (filter.actorLabel) where.actorLabel = containing(filter.actorLabel);
  if (filter.actorRole) where.actorRole = filter.actorRole;
  if (filter.action) where.action = containing(filter.action);
  if (filter.resource) where.resource = containing(filter.resource);
  if (filter.outcome) where.outcome = filter.outcome;
  if (filter.recordId) where.recordIds = { [Op.contains]: [filter.recordId] };
  if (filter.from || filter.to)
    where.at = { ...(filter.from ? { [Op.gte]: filter.from } : {}), ...(filter.to ? { [Op.lte]: filter.to } : {}) };
  if (filter.q) {
    const everything = Sequelize.literal(
      `concat_ws(' ', actor_label, action, resource, reason, array_to_string(record_ids, ' '), selection::text, before::text, after::text)`,
    );
    where[Op.and] = [Sequelize.where(everything, containing(filter.q))];
  }
  return where;
}

/** The filter without empty fields, as recorded in the audit event of an export. */
export function describeAuditFilter(filter: AuditFilter): Record<string, string> {
  return Object.fromEntries(
    Object.entries(filter)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, v instanceof Date ? v.toISOString() : String(v)]),
  );
}
