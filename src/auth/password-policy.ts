import * as z from 'zod';

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 256;

/** Passwords that appear at the top of every breach list, in any case, with or without digits appended. */
const BREACHED_STEMS = [
  'password',
  'passw0rd',
  'qwerty',
  'letmein',
  'welcome',
  'admin',
  'iloveyou',
  'monkey',
  'dragon',
  'abc123',
  '123456',
  'modeldesk',
];

/** NIST 800-63B style: length over composition rules; refuse known-bad and trivially guessable values. */
export const NewPassword = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(MAX_PASSWORD_LENGTH, `must be at most ${MAX_PASSWORD_LENGTH} characters`)
  .refine((p) => new Set(p).size >= 5, 'is too repetitive: use at least 5 different characters')
  .refine((p) => {
    const stem = p.toLowerCase().replace(/[\d\W_]+$/u, '');
    return !BREACHED_STEMS.some((bad) => stem === bad || (stem.startsWith(bad) && stem.length - bad.length < 4));
  }, 'is a commonly breached password: choose a passphrase of unrelated words');

export function passwordProblems(password: string, email?: string): string[] {
  const problems: string[] = [];
  const parsed = NewPassword.safeParse(password);
  if (!parsed.success) problems.push(...parsed.error.issues.map((i) => `Password ${i.message}.`));
  const local = email?.split('@')[0]?.toLowerCase();
  if (local && local.length >= 4 && password.toLowerCase().includes(local)) {
    problems.push('Password must not contain the email address.');
  }
  return problems;
}
