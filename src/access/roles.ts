import type { Role } from '../../models/enums.js';

export { Role } from '../../models/enums.js';

export const ROLE_TITLES: Record<Role, string> = {
  admin: 'Administrator',
  data_scientist: 'Data scientist',
  content_manager: 'Content manager',
  auditor: 'Auditor',
};
