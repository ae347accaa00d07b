'use strict';

/** @type {import('sequelize-cli').Migration} */
module.exports = {
  async up(queryInterface) {
    // The chain's head (last seq and hash), moved forward in the same transaction as each append.
    // Deleting events at the end of the chain leaves every remaining hash valid; the head does not
    // match then, so verification reports the missing tail. Only forward moves by one are accepted.
    await queryInterface.sequelize.query(`
      CREATE TABLE audit_chain_head (
        id         smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
        seq        bigint NOT NULL CHECK (seq >= 0),
        hash       char(64) NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      INSERT INTO audit_chain_head (seq, hash)
        SELECT COALESCE(max(seq), 0),
               COALESCE((SELECT hash FROM audit_events ORDER BY seq DESC LIMIT 1), repeat('0', 64))
          FROM audit_events;

      CREATE FUNCTION audit_chain_head_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP <> 'UPDATE' OR NEW.seq <> OLD.seq + 1 THEN
          RAISE EXCEPTION 'audit_chain_head only moves forward by one event (% refused)', TG_OP
            USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER audit_chain_head_forward BEFORE INSERT OR UPDATE OR DELETE ON audit_chain_head
        FOR EACH ROW EXECUTE FUNCTION audit_chain_head_forward_only();
      CREATE TRIGGER audit_chain_head_no_truncate BEFORE TRUNCATE ON audit_chain_head
        FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();
    `);
  },

  async down() {
    throw new Error('The audit chain head is never dropped by a migration.');
  },
};
