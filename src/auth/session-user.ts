import type { Role } from '../../models/enums.js';

/** What a console session remembers about its user; refreshed from the database on every request. */
export interface SessionUser {
  id: string;
  email: string;
  role: Role;
  title: string;
}

declare module 'express-session' {
  interface SessionData {
    adminUser?: SessionUser;
    /** Double-submit CSRF token, also sent to the browser as the XSRF-TOKEN cookie. */
    csrfToken?: string;
    /** Epoch ms of sign-in, for the absolute session timeout. */
    signedInAt?: number;
    /** Where AdminJS sends the user after signing in. */
    redirectTo?: string;
  }
}
