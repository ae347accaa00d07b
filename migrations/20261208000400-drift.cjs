'use strict';

/**
 * Drift (issue 22): per model, the thresholds that flag a version as drifted, and the last drift report
 * computed per version (what the dashboard's "drifted models" tile reads, so the home page never
 * recomputes a report).
 *
 * - `models.drift_thresholds`: only the thresholds the user changed ({} = the defaults in
 *   src/monitoring/drift/drift-thresholds.ts); changed through `models.driftSettings`, audited.
 * - `drift_reports`: derived data, overwritten by each computation (like inference_stats, not audited:
 *   reading a report writes it); deleted with its version's model.
 * - `drift_float4(v, i)`: the i-th float4 (big-endian, as records.feature_vector and
 *   predict_samples.feature_vector hold them) as float8, for predict samples, which carry no JSON. One
 *   expression and not STRICT (a CASE cannot be proven strict), so the planner inlines it: called as a
 *   function it costs ~25 µs a value.
 */
/** @type {import('sequelize-cli').Migration} */
module.exports = {
  async up(queryInterface) {
    await queryInterface.sequelize.transaction(async (transaction) => {
      await queryInterface.sequelize.query(
        `
        ALTER TABLE models ADD COLUMN drift_thresholds jsonb NOT NULL DEFAULT '{}'
          CHECK (jsonb_typeof(drift_thresholds) = 'object');
        COMMENT ON COLUMN models.drift_thresholds IS 'Drift thresholds changed from the defaults (psi, ks, oovRateIncrease, minLiveRecords); {} = defaults.';

        CREATE TABLE drift_reports (
          model_version_id  integer PRIMARY KEY REFERENCES model_versions (id) ON DELETE CASCADE,
          model_id          integer NOT NULL REFERENCES models (id) ON DELETE CASCADE,
          computed_at       timestamptz NOT NULL DEFAULT now(),
          drifted           boolean NOT NULL,
          live_records      integer NOT NULL,
          report            jsonb NOT NULL
        );
        CREATE INDEX drift_reports_model_idx ON drift_reports (model_id, computed_at DESC);
        COMMENT ON TABLE drift_reports IS 'The last drift report computed per model version (derived; overwritten by each computation).';

        CREATE FUNCTION drift_float4(v bytea, i integer) RETURNS float8
          LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
          SELECT CASE
            WHEN length(v) < 4 * i + 4 THEN NULL
            WHEN (get_byte(v, 4 * i) & 127) = 127 AND (get_byte(v, 4 * i + 1) & 128) = 128 THEN NULL
            ELSE (CASE WHEN get_byte(v, 4 * i) >= 128 THEN -1.0::float8 ELSE 1.0::float8 END)
              * (CASE WHEN ((get_byte(v, 4 * i) & 127) << 1 | get_byte(v, 4 * i + 1) >> 7) = 0
                  THEN ((get_byte(v, 4 * i + 1) & 127) * 65536 + get_byte(v, 4 * i + 2) * 256 + get_byte(v, 4 * i + 3))::float8 * 2::float8 ^ (-149)
                  ELSE ((get_byte(v, 4 * i + 1) & 127) * 65536 + get_byte(v, 4 * i + 2) * 256 + get_byte(v, 4 * i + 3) + 8388608)::float8
                    * 2::float8 ^ (((get_byte(v, 4 * i) & 127) << 1 | get_byte(v, 4 * i + 1) >> 7) - 150)
                 END)
          END
        $$;
        COMMENT ON FUNCTION drift_float4(bytea, integer) IS 'The i-th big-endian float4 of a feature vector as float8; NULL past the end or for NaN/infinity.';
        `,
        { transaction },
      );
    });
  },

  async down(queryInterface) {
    await queryInterface.sequelize.query(`
      DROP FUNCTION drift_float4(bytea, integer);
      DROP TABLE drift_reports;
      ALTER TABLE models DROP COLUMN drift_thresholds;
    `);
  },
};
