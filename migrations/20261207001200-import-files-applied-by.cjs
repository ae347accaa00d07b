'use strict';

/**
 * Who applied an import file, and finding earlier imports of the same contents by sha256: a file
 * imported again is warned about with when and by whom it was imported before.
 */
module.exports = {
  async up(queryInterface) {
    await queryInterface.sequelize.query(`
      ALTER TABLE import_files ADD COLUMN applied_by_id integer REFERENCES users (id) ON DELETE SET NULL;
      CREATE INDEX import_files_applied_sha256_idx ON import_files (sha256) WHERE applied_at IS NOT NULL;
    `);
  },

  async down(queryInterface) {
    await queryInterface.sequelize.query(`
      DROP INDEX import_files_applied_sha256_idx;
      ALTER TABLE import_files DROP COLUMN applied_by_id;
    `);
  },
};
