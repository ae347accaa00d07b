import type { Rule } from '../rule.js';

export const always: Rule = () => true;
