import { ValidationError, type ActionContext, type ActionRequest } from 'adminjs';
import { hashPassword } from '../../src/auth/password.js';
import { passwordProblems } from '../../src/auth/password-policy.js';
import { Email } from '../../src/users/email.js';

/**
 * Turns the form's `newPassword` into an argon2id hash (after the password policy) and normalises the
 * email; the plain password goes no further than this function.
 */
export async function prepareUserPayload(request: ActionRequest, context: ActionContext): Promise<ActionRequest> {
  if (request.method === 'get') return request;
  const { newPassword, ...payload } = (request.payload ?? {}) as Record<string, unknown>;
  if (typeof payload.email === 'string') {
    const email = Email.safeParse(payload.email);
    if (!email.success)
      throw new ValidationError({ email: { message: 'Enter an email address such as ada@example.com.' } });
    payload.email = email.data;
  }
  const creating = context.action.name === 'new';
  if (typeof newPassword === 'string' && newPassword !== '') {
    const email = typeof payload.email === 'string' ? payload.email : String(context.record?.params.email ?? '');
    const problems = passwordProblems(newPassword, email);
    if (problems.length > 0) throw new ValidationError({ newPassword: { message: problems.join(' ') } });
    payload.passwordHash = await hashPassword(newPassword);
    payload.passwordChangedAt = new Date().toISOString();
    payload.failedLogins = 0;
    payload.lockedUntil = null;
  } else if (creating) {
    throw new ValidationError({ newPassword: { message: 'A new user needs a password.' } });
  }
  return { ...request, payload };
}
