import { User } from '../../models/user.js';

/**
 * The user behind a session, or null when they were deleted or deactivated, or their password was
 * changed after this session signed in (a reset ends stolen sessions). A sign-in lockout does not end
 * open sessions: otherwise anyone knowing an email could sign its owner out with a few wrong guesses.
 */
export async function loadSessionUser(id: string, signedInAt: number): Promise<User | null> {
  const userId = Number(id);
  if (!Number.isInteger(userId)) return null;
  const user = await User.findByPk(userId);
  if (!user || !user.active) return null;
  // Allow a second of clock slack: the sign-in that follows a reset happens after it.
  if (user.passwordChangedAt.getTime() > signedInAt + 1_000) return null;
  return user;
}
