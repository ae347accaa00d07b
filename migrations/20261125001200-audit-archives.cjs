'use strict';

/** @type {import('sequelize-cli').Migration} */
module.exports = {
  async up(queryInterface) {
    // Each archive of old audit events records its boundary (the last archived event and its hash):
    // once a DBA removes the archived rows, verification starts from the boundary instead of event 1.
    await queryInterface.sequelize.query(`
      CREATE TABLE audit_archives (
        id           serial PRIMARY KEY,
        through_seq  bigint NOT NULL UNIQUE CHECK (through_seq > 0),
        through_hash char(64) NOT NULL CHECK (through_hash ~ '^[0-9a-f]{64}$'),
        first_seq    bigint NOT NULL CHECK (first_seq > 0 AND first_seq <= through_seq),
        file_sha256  char(64) NOT NULL CHECK (file_sha256 ~ '^[0-9a-f]{64}$'),
        archived_at  timestamptz NOT NULL DEFAULT now(),
        archived_by  text NOT NULL
      );
      CREATE TRIGGER audit_archives_no_change BEFORE UPDATE OR DELETE ON audit_archives
        FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
      CREATE TRIGGER audit_archives_no_truncate BEFORE TRUNCATE ON audit_archives
        FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();
    `);
  },

  async down() {
    throw new Error('Audit archive records are never dropped by a migration.');
  },
};
