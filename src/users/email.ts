import * as z from 'zod';

/** Emails are stored trimmed and lower-cased: one account per address, whatever the spelling. */
export const Email = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email({ error: 'must be an email address such as ada@example.com' }).max(254));
