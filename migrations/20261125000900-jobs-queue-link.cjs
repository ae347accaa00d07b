'use strict';

/** @type {import('sequelize-cli').Migration} */
module.exports = {
  async up(queryInterface) {
    // The pg-boss job that carries this row (pg-boss keeps its own tables in the pgboss schema).
    await queryInterface.sequelize.query(`
      ALTER TABLE jobs ADD COLUMN queue_job_id uuid;
      ALTER TABLE jobs ADD COLUMN phase text;
      CREATE INDEX jobs_queue_job_id_idx ON jobs (queue_job_id);
    `);
  },

  async down(queryInterface) {
    await queryInterface.sequelize.query('ALTER TABLE jobs DROP COLUMN queue_job_id, DROP COLUMN phase;');
  },
};
