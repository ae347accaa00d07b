import { Op } from 'sequelize';

/**
 * "Contains this text", case-insensitively, with `%`, `_` and `\` in it taken literally: the one
 * substring-match rule of every console filter, export and selection (trigram indexes serve it).
 */
export const containing = (value: string) => ({ [Op.iLike]: `%${value.replace(/[\\%_]/g, (c) => `\\${c}`)}%` });
