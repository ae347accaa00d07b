'use strict';

/** @type {import('sequelize-cli').Migration} */
module.exports = {
  async up(queryInterface) {
    // Large bulk edits of records run as background jobs with progress.
    await queryInterface.sequelize.query(`ALTER TYPE job_kind ADD VALUE IF NOT EXISTS 'bulk_edit'`);
  },

  async down() {
    throw new Error('Postgres cannot remove a value from an enum type; leave it.');
  },
};
