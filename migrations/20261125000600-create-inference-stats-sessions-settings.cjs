'use strict';

/** @type {import('sequelize-cli').Migration} */
module.exports = {
  async up(queryInterface) {
    await queryInterface.sequelize.transaction(async (transaction) => {
      await queryInterface.sequelize.query(
        `
        CREATE TABLE inference_stats (
          bucket            timestamptz NOT NULL CHECK (date_trunc('minute', bucket) = bucket),
          model_version_id  integer NOT NULL REFERENCES model_versions (id) ON DELETE RESTRICT,
          count             integer NOT NULL DEFAULT 0 CHECK (count >= 0),
          errors            integer NOT NULL DEFAULT 0 CHECK (errors >= 0),
          latency_sum_ms    double precision NOT NULL DEFAULT 0,
          -- Counts per latency bucket; bounds (ms) are fixed in src/ml and listed in the API docs.
          latency_buckets   integer[] NOT NULL DEFAULT '{}',
          PRIMARY KEY (bucket, model_version_id)
        );
        CREATE INDEX inference_stats_model_version_id_idx ON inference_stats (model_version_id, bucket);

        -- connect-pg-simple's table (its own schema, names as it expects them).
        CREATE TABLE session (
          sid     varchar NOT NULL PRIMARY KEY,
          sess    json NOT NULL,
          expire  timestamp(6) NOT NULL
        );
        CREATE INDEX session_expire_idx ON session (expire);

        -- Process-shared settings that must be the same for every web process (e.g. the generated
        -- session secret when SESSION_SECRET is not set).
        CREATE TABLE settings (
          key         text PRIMARY KEY,
          value       text NOT NULL,
          created_at  timestamptz NOT NULL DEFAULT now()
        );
        `,
        { transaction },
      );
    });
  },

  async down(queryInterface) {
    await queryInterface.sequelize.query('DROP TABLE settings; DROP TABLE session; DROP TABLE inference_stats;');
  },
};
