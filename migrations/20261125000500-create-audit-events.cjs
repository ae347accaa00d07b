'use strict';

/** @type {import('sequelize-cli').Migration} */
module.exports = {
  async up(queryInterface) {
    await queryInterface.sequelize.transaction(async (transaction) => {
      await queryInterface.sequelize.query(
        `
        CREATE TYPE audit_outcome AS ENUM ('success', 'denied', 'failed');

        CREATE TABLE audit_events (
          seq            bigint PRIMARY KEY CHECK (seq > 0),
          at             timestamptz NOT NULL DEFAULT now(),
          actor_type     text NOT NULL CHECK (actor_type IN ('user', 'api_key', 'cli', 'system', 'anonymous')),
          actor_id       text,
          actor_label    text NOT NULL,
          actor_role     text,
          action         text NOT NULL CHECK (action ~ '^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+$'),
          resource       text NOT NULL,
          record_ids     text[] NOT NULL DEFAULT '{}',
          selection      jsonb,
          before         jsonb,
          after          jsonb,
          ip             inet,
          user_agent     text,
          request_id     text,
          outcome        audit_outcome NOT NULL,
          reason         text,
          prev_hash      char(64) NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
          hash           char(64) NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$')
        );
        CREATE INDEX audit_events_at_idx ON audit_events (at);
        CREATE INDEX audit_events_actor_idx ON audit_events (actor_type, actor_id);
        CREATE INDEX audit_events_action_idx ON audit_events (action);
        CREATE INDEX audit_events_resource_idx ON audit_events (resource);
        CREATE INDEX audit_events_record_ids_idx ON audit_events USING gin (record_ids);

        -- Append-only, enforced by the database and not only by the app.
        CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          RAISE EXCEPTION 'audit_events is append-only (% refused)', TG_OP
            USING ERRCODE = 'insufficient_privilege';
        END $$;
        CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events
          FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
        CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
          FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();
        `,
        { transaction },
      );
    });
  },

  async down() {
    throw new Error('The audit log is never dropped by a migration.');
  },
};
