import { Op } from 'sequelize';
import { User } from '../../models/index.js';

/** Emails of users by id, one query by primary key (deleted users are simply absent). */
export async function emailsOf(ids: ReadonlyArray<number | null | undefined>): Promise<Map<number, string>> {
  const wanted = [...new Set(ids.filter((id): id is number => typeof id === 'number'))];
  if (wanted.length === 0) return new Map();
  const rows = await User.findAll({ where: { id: { [Op.in]: wanted } }, attributes: ['id', 'email'] });
  return new Map(rows.map((u) => [u.id, u.email]));
}
