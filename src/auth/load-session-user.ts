import { User } from '../../models/user.js';

/** The user behind a session, or null when they were deleted, deactivated or locked meanwhile. */
export async function loadSessionUser(id: string): Promise<User | null> {
  const userId = Number(id);
  if (!Number.isInteger(userId)) return null;
  const user = await User.findByPk(userId);
  if (!user || !user.active || (user.lockedUntil && user.lockedUntil > new Date())) return null;
  return user;
}
