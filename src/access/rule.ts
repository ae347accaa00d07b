import type { Actor } from './actor.js';

/** Column → value: the rows a rule lets the actor touch. Applies as a Sequelize `where` and a list filter. */
export type RowFilter = Readonly<Record<string, string | number | boolean>>;

export interface RuleContext {
  actor: Actor;
  /** The row acted on, when the action is about one row. */
  record?: Readonly<Record<string, unknown>>;
}

/** `true`: allowed; `false`: denied; a filter: allowed on the rows it matches. */
export type Rule = (context: RuleContext) => boolean | RowFilter;
