'use strict';
// sequelize-cli format: applied at start by umzug (src/db/migrate.ts) and by `npm run cli -- migrate`.

/** @type {import('sequelize-cli').Migration} */
module.exports = {
  async up(queryInterface) {
    await queryInterface.sequelize.transaction(async (transaction) => {
      await queryInterface.sequelize.query(
        `
        CREATE TYPE user_role AS ENUM ('admin', 'data_scientist', 'content_manager', 'auditor');

        CREATE TABLE users (
          id                  serial PRIMARY KEY,
          email               text NOT NULL,
          name                text,
          password_hash       text NOT NULL,
          role                user_role NOT NULL,
          active              boolean NOT NULL DEFAULT true,
          failed_logins       integer NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
          locked_until        timestamptz,
          last_login_at       timestamptz,
          password_changed_at timestamptz NOT NULL DEFAULT now(),
          created_at          timestamptz NOT NULL DEFAULT now(),
          updated_at          timestamptz NOT NULL DEFAULT now(),
          CONSTRAINT users_email_lowercase CHECK (email = lower(btrim(email))),
          CONSTRAINT users_email_shape CHECK (email ~ '^[^@\\s]+@[^@\\s]+$')
        );
        CREATE UNIQUE INDEX users_email_key ON users (email);
        CREATE INDEX users_role_idx ON users (role);

        CREATE TABLE api_keys (
          id            serial PRIMARY KEY,
          owner_id      integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
          name          text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 100),
          prefix        text NOT NULL,
          secret_hash   text NOT NULL,
          scopes        text[] NOT NULL DEFAULT '{}'
                        CHECK (scopes <@ ARRAY['predict', 'records:read', 'records:write', 'models:write', 'jobs:write']::text[]),
          rate_limit    integer CHECK (rate_limit IS NULL OR rate_limit > 0),
          expires_at    timestamptz,
          revoked_at    timestamptz,
          last_used_at  timestamptz,
          created_at    timestamptz NOT NULL DEFAULT now(),
          updated_at    timestamptz NOT NULL DEFAULT now()
        );
        CREATE UNIQUE INDEX api_keys_prefix_key ON api_keys (prefix);
        CREATE INDEX api_keys_owner_id_idx ON api_keys (owner_id);
        `,
        { transaction },
      );
    });
  },

  async down(queryInterface) {
    await queryInterface.sequelize.query('DROP TABLE api_keys; DROP TABLE users; DROP TYPE user_role;');
  },
};
