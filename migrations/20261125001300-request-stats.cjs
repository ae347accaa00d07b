'use strict';

/** @type {import('sequelize-cli').Migration} */
module.exports = {
  async up(queryInterface) {
    // Per-minute HTTP traffic for the dashboard's charts, summed over every web process (each flushes
    // its own counts with an upsert that adds). Latency buckets: src/monitoring/latency-histogram.ts.
    await queryInterface.sequelize.query(`
      CREATE TABLE request_stats (
        bucket          timestamptz NOT NULL CHECK (date_trunc('minute', bucket) = bucket),
        area            text NOT NULL CHECK (area IN ('console', 'api', 'other')),
        count           integer NOT NULL DEFAULT 0 CHECK (count >= 0),
        errors          integer NOT NULL DEFAULT 0 CHECK (errors >= 0),
        latency_sum_ms  double precision NOT NULL DEFAULT 0,
        latency_buckets integer[] NOT NULL DEFAULT '{}',
        PRIMARY KEY (bucket, area)
      );
    `);
  },

  async down(queryInterface) {
    await queryInterface.sequelize.query('DROP TABLE request_stats;');
  },
};
