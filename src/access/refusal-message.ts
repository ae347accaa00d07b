import { roleOf, type Actor } from './actor.js';
import { Role } from './roles.js';
import { always } from './predicates/always.js';
import { RULES, type AccessTable } from './rules.js';

/** Resource ids as a person reads them (plural, as on the navigation). */
const RESOURCE_NAMES: Readonly<Record<string, string>> = {
  apiKeys: 'API keys',
  auditEvents: 'audit events',
  inferenceStats: 'inference statistics',
  modelAliases: 'model aliases',
  modelVersions: 'model versions',
};

/**
 * What each action does, as a verb phrase around the resource's name (`%s`). Action names are
 * identifiers ("bulkEdit", "new"); a person must never read them. An action missing here is spelt
 * out from its name ("restoreDeleted" → "restore deleted records").
 */
const ACTION_PHRASES: Readonly<Record<string, string>> = {
  list: 'list %s',
  search: 'search %s',
  show: 'open %s',
  new: 'create %s',
  edit: 'edit %s',
  delete: 'delete %s',
  bulkDelete: 'delete %s in bulk',
  bulkEdit: 'edit %s in bulk',
  bulkEditMatching: 'edit %s in bulk',
  export: 'export %s',
  importCsv: 'import records into %s',
  restoreDeleted: 'restore deleted %s',
  restoreVersion: 'restore %s to an earlier version',
  history: 'read the history of %s',
  revert: 'revert changes to %s',
  scoreSelected: 'score %s',
  scoreMatching: 'score %s',
  score: 'score datasets with %s',
  predict: 'get predictions from %s',
  train: 'retrain %s',
  upload: 'upload ONNX files to %s',
  compare: 'compare versions of %s',
  charts: 'open the charts of %s',
  promote: 'promote %s',
  download: 'download %s',
  rollback: 'roll back %s',
  cancel: 'cancel %s',
  issue: 'issue %s',
  revoke: 'revoke %s',
  verify: 'verify the chain of %s',
  archive: 'archive %s',
  systemHealth: 'open the system health of %s',
  label: 'label the records of %s',
  secondReview: 'accept or reject the labels of %s',
};

const ROLE_NAMES: Readonly<Record<Role, string>> = {
  admin: 'admin',
  data_scientist: 'data scientist',
  content_manager: 'content manager',
  auditor: 'auditor',
};

/** "restoreDeleted" → "restore deleted". */
const spelt = (identifier: string) => identifier.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();

export const resourceName = (resource: string): string => RESOURCE_NAMES[resource] ?? spelt(resource);

/** The action as a phrase with its object: "edit records in bulk", "roll back model aliases". */
export function actionPhrase(resource: string, action: string): string {
  const phrase = ACTION_PHRASES[action] ?? `${spelt(action)} %s`;
  return phrase.replace('%s', resourceName(resource));
}

const article = (role: Role) => `${/^[aeiou]/.test(ROLE_NAMES[role]) ? 'an' : 'a'} ${ROLE_NAMES[role]}`;

/** "an admin", "a data scientist or an admin": roles the rule table lets do it, admins last; the actor's own role as "another". */
function whoMay(roles: readonly Role[], actorRole: Role): string | undefined {
  if (roles.length === 0) return undefined;
  const ordered = [...roles.filter((r) => r !== 'admin'), ...roles.filter((r) => r === 'admin')];
  const named = ordered.map((role) => (role === actorRole ? `another ${ROLE_NAMES[role]}` : article(role)));
  return named.length === 1 ? named[0] : `${named.slice(0, -1).join(', ')} or ${named.at(-1)!}`;
}

/**
 * The sentence a refusal answers with, everywhere (console pages, its API, the REST API): who is
 * refused, what they tried in plain words, and whom to ask. "Your role (content manager) may not
 * edit records in bulk; ask an admin." With `recordIds`, when the role may do it to some rows but
 * not these (someone else's job): "Your role (data scientist) may cancel jobs, but not #5; ask an admin."
 */
export function refusalMessage(
  actor: Actor,
  resource: string,
  action: string,
  recordIds: readonly string[] = [],
  table: AccessTable = RULES,
): string {
  const role = roleOf(actor);
  if (!role) return `Sign in to ${actionPhrase(resource, action)}.`;
  const subject =
    actor.type === 'api_key'
      ? `This API key acts with its owner's role (${ROLE_NAMES[role]}), which`
      : `Your role (${ROLE_NAMES[role]})`;
  const rules = table[resource]?.[action] ?? {};
  const withRule = Role.options.filter((r) => rules[r] !== undefined);
  const phrase = actionPhrase(resource, action);
  if (recordIds.length > 0 && rules[role] !== undefined) {
    // Allowed on some rows only: ask someone whose rule covers every row, or a peer (a self-delete).
    const unconditional = withRule.filter((r) => rules[r] === always);
    const ask = whoMay(unconditional.length > 0 ? unconditional : withRule, role);
    return `${subject} may ${phrase}, but not #${recordIds.join(', #')}; ask ${ask!}.`;
  }
  const ask = whoMay(
    withRule.filter((r) => r !== role),
    role,
  );
  return `${subject} may not ${phrase}; ${ask ? `ask ${ask}` : 'no role may'}.`;
}
