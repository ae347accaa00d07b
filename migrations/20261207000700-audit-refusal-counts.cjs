'use strict';

/** @type {import('sequelize-cli').Migration} */
module.exports = {
  async up(queryInterface) {
    // Refusals (outcome `denied`) counted per who × what × why × minute, shared by every web process:
    // the first few of each minute are audit events of their own, the rest are counted here and written
    // to the audit log as one summary event (src/audit/record-refusal.ts). Rows are deleted once their
    // minute is over and every refusal in them is in the log. Not part of the hash chain: the log is.
    await queryInterface.sequelize.query(`
      CREATE TABLE audit_refusal_counts (
        actor_key   text NOT NULL,
        action      text NOT NULL,
        resource    text NOT NULL,
        reason_code text NOT NULL,
        minute      timestamptz NOT NULL,
        count       integer NOT NULL CHECK (count > 0),
        logged      integer NOT NULL CHECK (logged >= 0 AND logged <= count),
        actor       jsonb NOT NULL,
        reason      text NOT NULL,
        first_at    timestamptz NOT NULL,
        last_at     timestamptz NOT NULL,
        last_ip     text,
        last_user_agent text,
        last_request_id text,
        PRIMARY KEY (actor_key, action, resource, reason_code, minute)
      );
      CREATE INDEX audit_refusal_counts_minute_idx ON audit_refusal_counts (minute);
    `);
  },

  async down(queryInterface) {
    await queryInterface.sequelize.query('DROP TABLE audit_refusal_counts');
  },
};
