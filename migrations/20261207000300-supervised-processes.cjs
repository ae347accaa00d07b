'use strict';

/** @type {import('sequelize-cli').Migration} */
module.exports = {
  async up(queryInterface) {
    // What `npm start`'s supervisor knows about the web and worker processes it runs: state, pid and
    // restarts, so that any web process (the admin's system health) can show them. The supervisor is
    // the only writer (one row per process it supervises, refreshed as a heartbeat); rows of a
    // supervisor that stopped reporting are old and are shown, then cleaned up, as such.
    await queryInterface.sequelize.query(`
      CREATE TABLE supervised_processes (
        supervisor      text NOT NULL,
        name            text NOT NULL,
        kind            text NOT NULL CHECK (kind IN ('web', 'worker')),
        pid             integer,
        state           text NOT NULL CHECK (state IN ('starting', 'running', 'restarting', 'stopping')),
        restarts        integer NOT NULL DEFAULT 0 CHECK (restarts >= 0),
        last_restart_at timestamptz,
        last_exit       text,
        started_at      timestamptz,
        updated_at      timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (supervisor, name)
      );
    `);
  },

  async down(queryInterface) {
    await queryInterface.sequelize.query('DROP TABLE supervised_processes;');
  },
};
