import fs from 'node:fs';
import { RULES, type AccessTable } from '../access/rules.js';

export interface CheckResult {
  id: string;
  level: 'error' | 'warning';
  message: string;
  hint: string;
}

export interface ConsoleDeclaration {
  /** resource id → every action the console declares for it (built-in and custom). */
  actions: Readonly<Record<string, readonly string[]>>;
  /** AdminJS's built-in action names: having no rule simply means denied. */
  builtIns: readonly string[];
  /** Absolute paths of the custom component sources AdminJS bundles. */
  componentFiles: readonly string[];
}

/**
 * Startup checks with stable ids (tests assert the id, not the wording). Errors stop the start and are
 * listed all at once.
 */
export function checkConsole(declared: ConsoleDeclaration, table: AccessTable = RULES): CheckResult[] {
  const results: CheckResult[] = [];
  for (const [resource, actions] of Object.entries(declared.actions)) {
    for (const action of actions) {
      if (!declared.builtIns.includes(action) && !table[resource]?.[action]) {
        results.push({
          id: 'MD-E001',
          level: 'error',
          message: `Action ${resource}.${action} has no entry in the rule table, so nobody could use it.`,
          hint: `Add RULES.${resource}.${action} in src/access/rules.ts with the roles that may run it.`,
        });
      }
    }
  }
  for (const [resource, actions] of Object.entries(table)) {
    for (const action of Object.keys(actions)) {
      if (!declared.actions[resource]?.includes(action)) {
        results.push({
          id: 'MD-E002',
          level: 'error',
          message: `The rule table names ${resource}.${action}, but the console declares no such action.`,
          hint: 'Remove the entry from src/access/rules.ts or declare the action on the resource.',
        });
      }
    }
  }
  for (const file of declared.componentFiles) {
    if (!fs.existsSync(file)) {
      results.push({
        id: 'MD-E003',
        level: 'error',
        message: `Custom component source ${file} is missing.`,
        hint: 'AdminJS needs the .tsx sources at run time: restore the file or remove it from admin/components.ts.',
      });
    }
  }
  return results;
}

export function formatChecks(results: readonly CheckResult[]): string {
  return results.map((r) => `${r.id} ${r.level}: ${r.message}\n    → ${r.hint}`).join('\n');
}
