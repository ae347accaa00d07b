'use strict';

/** @type {import('sequelize-cli').Migration} */
module.exports = {
  async up(queryInterface) {
    // A user's page lists their latest audited actions: with (actor_type, actor_id) alone Postgres reads
    // every event of the user and sorts them; with seq in the key it reads the newest twenty and stops.
    await queryInterface.sequelize.query(`
      CREATE INDEX audit_events_actor_seq_idx ON audit_events (actor_type, actor_id, seq DESC);
      DROP INDEX audit_events_actor_idx;
    `);
  },

  async down(queryInterface) {
    await queryInterface.sequelize.query(`
      CREATE INDEX audit_events_actor_idx ON audit_events (actor_type, actor_id);
      DROP INDEX audit_events_actor_seq_idx;
    `);
  },
};
