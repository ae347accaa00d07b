'use strict';

/** @type {import('sequelize-cli').Migration} */
module.exports = {
  async up(queryInterface) {
    await queryInterface.sequelize.query(`
      -- Sign-in attempts per client address in a window, RESERVED before a password is checked (one
      -- INSERT … ON CONFLICT … RETURNING, shared by every web process): counting failures in the audit
      -- log after the check let 200 parallel guesses through a limit of 30. A successful sign-in gives
      -- its reservation back, so 'attempts' is failures plus checks still running.
      CREATE TABLE sign_in_address_attempts (
        ip           inet PRIMARY KEY,
        window_start timestamptz NOT NULL,
        attempts     integer NOT NULL CHECK (attempts >= 0)
      );
      CREATE INDEX sign_in_address_attempts_window_start_idx ON sign_in_address_attempts (window_start);
    `);
  },

  async down(queryInterface) {
    await queryInterface.sequelize.query('DROP TABLE sign_in_address_attempts');
  },
};
