'use strict';

/** @type {import('sequelize-cli').Migration} */
module.exports = {
  async up(queryInterface) {
    // Review queues are filled by a background job (the strategy's order, near-duplicates dropped).
    await queryInterface.sequelize.query(`ALTER TYPE job_kind ADD VALUE IF NOT EXISTS 'review'`);
  },

  async down() {
    throw new Error('Postgres cannot remove a value from an enum type; leave it.');
  },
};
