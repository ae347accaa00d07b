import type { BadgeProps } from '@adminjs/design-system';

/** The Badge variants the console uses for a status: one colour per meaning, not per page. */
export type StatusTone = 'success' | 'danger' | 'info' | 'primary' | 'default';

// One mapping for every list and page that shows a status or outcome (jobs, audit events, versions,
// API keys), so "Failed" is the same red everywhere and a new page cannot invent its own grey.
const TONES: Readonly<Record<string, StatusTone>> = {
  succeeded: 'success',
  success: 'success',
  ok: 'success',
  verified: 'success',
  failed: 'danger',
  denied: 'danger',
  refused: 'danger',
  error: 'danger',
  broken: 'danger',
  running: 'info',
  active: 'info',
  retry: 'info',
  queued: 'primary',
  cancelled: 'default',
  expired: 'default',
  revoked: 'default',
};

/** The Badge variant for a status or outcome string; anything unknown stays neutral grey. */
export function statusTone(status: string | null | undefined): StatusTone {
  if (!status) return 'default';
  return TONES[status.trim().toLowerCase()] ?? 'default';
}

/** Props for `<Badge {...statusBadgeProps(status)}>`; 'default' is AdminJS's plain grey badge. */
export function statusBadgeProps(status: string | null | undefined): Pick<BadgeProps, 'variant'> {
  return { variant: statusTone(status) };
}
