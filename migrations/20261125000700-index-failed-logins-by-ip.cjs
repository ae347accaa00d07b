'use strict';

/** @type {import('sequelize-cli').Migration} */
module.exports = {
  async up(queryInterface) {
    // Per-address sign-in throttling counts recent failed logins in the audit log (shared by every
    // web process); this partial index keeps that count cheap however large the log grows.
    await queryInterface.sequelize.query(`
      CREATE INDEX audit_events_failed_logins_idx ON audit_events (ip, at)
        WHERE action = 'auth.login' AND outcome <> 'success';
    `);
  },

  async down(queryInterface) {
    await queryInterface.sequelize.query('DROP INDEX audit_events_failed_logins_idx');
  },
};
