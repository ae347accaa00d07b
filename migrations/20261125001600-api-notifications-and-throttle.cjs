'use strict';

/** @type {import('sequelize-cli').Migration} */
module.exports = {
  async up(queryInterface) {
    await queryInterface.sequelize.transaction(async (transaction) => {
      await queryInterface.sequelize.query(
        `
        -- Caches in every web process (which version an alias serves, what an API key may do) are
        -- told of changes by NOTIFY, whatever wrote them: the console, the API, the CLI or SQL by hand.
        -- The payload is only the table's name: listeners drop what they cached from that table.
        CREATE FUNCTION modeldesk_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          PERFORM pg_notify('modeldesk_changes', TG_TABLE_NAME);
          RETURN NULL;
        END $$;
        CREATE TRIGGER model_aliases_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON model_aliases
          FOR EACH STATEMENT EXECUTE FUNCTION modeldesk_notify_change();
        -- Not on last_used_at, which the API touches as keys are used.
        CREATE TRIGGER api_keys_notify
          AFTER INSERT OR UPDATE OF owner_id, prefix, secret_hash, scopes, rate_limit, expires_at, revoked_at OR DELETE OR TRUNCATE ON api_keys
          FOR EACH STATEMENT EXECUTE FUNCTION modeldesk_notify_change();
        -- A key acts with its owner's role: a role change or deactivation applies to the owner's keys.
        CREATE TRIGGER users_notify AFTER UPDATE OF role, active OR DELETE ON users
          FOR EACH STATEMENT EXECUTE FUNCTION modeldesk_notify_change();

        -- API throttling: requests per limiter key (an API key or a client address) per window, summed
        -- over every web process. Each process counts in memory and adds its counts here a few times a
        -- second (src/api/throttle/shared-counters.ts); old windows are deleted as they expire.
        CREATE TABLE rate_limit_counters (
          key          text NOT NULL,
          window_start timestamptz NOT NULL,
          count        integer NOT NULL CHECK (count >= 0),
          PRIMARY KEY (key, window_start)
        );
        CREATE INDEX rate_limit_counters_window_start_idx ON rate_limit_counters (window_start);
        `,
        { transaction },
      );
    });
  },

  async down(queryInterface) {
    await queryInterface.sequelize.query(`
      DROP TABLE rate_limit_counters;
      DROP TRIGGER users_notify ON users;
      DROP TRIGGER api_keys_notify ON api_keys;
      DROP TRIGGER model_aliases_notify ON model_aliases;
      DROP FUNCTION modeldesk_notify_change();
    `);
  },
};
