import * as z from 'zod';
import { User } from '../../models/index.js';
import type { Actor } from '../access/actor.js';
import { Forbidden } from '../errors/domain-error.js';

/** The rows-per-page choices of the console's lists (the users_list_page_size_choice constraint has the same). */
export const LIST_PAGE_SIZES = [10, 25, 50, 100] as const;

export const ListPageSize = z.coerce.number().refine((n) => (LIST_PAGE_SIZES as readonly number[]).includes(n), {
  error: `rows per page must be one of ${LIST_PAGE_SIZES.join(', ')}`,
});

/** The rows per page the person last chose, or null for the console's default. */
export async function listPageSizeOf(userId: number): Promise<number | null> {
  const user = await User.findByPk(userId, { attributes: ['listPageSize'] });
  return user?.listPageSize ?? null;
}

/**
 * Remembers the rows per page a person chose for their lists. A display preference of their own
 * row, not data anyone audits: it is not written to the audit log (each change would be an event).
 */
export async function rememberListPageSize(actor: Actor, size: unknown): Promise<number> {
  if (actor.type !== 'user') throw new Forbidden('list.page_size', 'Sign in to keep a page size.');
  const listPageSize = ListPageSize.parse(size);
  await User.update({ listPageSize }, { where: { id: actor.id }, silent: true });
  return listPageSize;
}
