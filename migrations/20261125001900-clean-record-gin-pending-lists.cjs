'use strict';

/**
 * GIN indexes on records (trigram search on text, tags) first collect new entries in a pending list
 * (fastupdate; 4 MB by default), which every search scans row by row until it is merged. A bulk load
 * (`cli generate`) merges what it left before it commits, through this function: merging needs the
 * index owner's rights, which the application's role does not have, so the function runs with its
 * owner's (SECURITY DEFINER, fixed search_path) and can do nothing else: harmless maintenance that
 * any role may run (EXECUTE stays granted to PUBLIC), whatever the application's role is named.
 *
 * (Measured on 1M text rows: merging 4 MB lists as they fill is faster than a larger
 * gin_pending_list_limit merged once: 50 s against 64–68 s; fastupdate off: 354 s.)
 */
/** @type {import('sequelize-cli').Migration} */
module.exports = {
  async up(queryInterface) {
    await queryInterface.sequelize.query(`
      CREATE FUNCTION records_clean_gin_pending_lists() RETURNS bigint
        LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
        SELECT gin_clean_pending_list('records_text_trgm_idx'::regclass) + gin_clean_pending_list('records_tags_idx'::regclass)
      $$;
    `);
  },

  async down(queryInterface) {
    await queryInterface.sequelize.query('DROP FUNCTION records_clean_gin_pending_lists();');
  },
};
