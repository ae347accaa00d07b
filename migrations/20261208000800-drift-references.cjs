'use strict';

/**
 * Drift speed (issue 22): a version's reference side (its training rows) is what it was trained on, so
 * its profile is computed once and kept, and a drift report only scans the live side.
 *
 * - `drift_references`: one row per version and sample cap: the reference's totals, category and label
 *   counts, token counts (jsonb: integers and strings only, so exact).
 * - `drift_reference_values`: per numeric (or derived text) feature, the reference's sampled values
 *   sorted (float8[]: exact, KS reads them by binary search), their deciles (`edges`, the PSI bins),
 *   the counts per bin and the number of missing values. float8 arrays, not JSON: jsonb numbers would
 *   round the edges to 15 digits and move values across bin edges.
 * Derived data, deleted with the version (not audited).
 */
/** @type {import('sequelize-cli').Migration} */
module.exports = {
  async up(queryInterface) {
    await queryInterface.sequelize.query(
      `
      CREATE TABLE drift_references (
        model_version_id  integer NOT NULL REFERENCES model_versions (id) ON DELETE CASCADE,
        sample_cap        integer NOT NULL,
        computed_at       timestamptz NOT NULL DEFAULT now(),
        profile           jsonb NOT NULL,
        PRIMARY KEY (model_version_id, sample_cap)
      );
      COMMENT ON TABLE drift_references IS 'Reference (training rows) side of drift reports, computed once per version and sample cap (derived).';
      CREATE TABLE drift_reference_values (
        model_version_id  integer NOT NULL,
        sample_cap        integer NOT NULL,
        feature           text NOT NULL,
        missing           bigint NOT NULL,
        sorted            float8[] NOT NULL,
        edges             float8[],
        bins              bigint[],
        PRIMARY KEY (model_version_id, sample_cap, feature),
        FOREIGN KEY (model_version_id, sample_cap) REFERENCES drift_references (model_version_id, sample_cap) ON DELETE CASCADE
      );
      COMMENT ON TABLE drift_reference_values IS 'Per feature: the reference sample sorted, its deciles and bin counts (derived).';`,
    );
  },
  async down(queryInterface) {
    await queryInterface.sequelize.query('DROP TABLE drift_reference_values; DROP TABLE drift_references;');
  },
};
