'use strict';

/**
 * "Least certain first" and "highest entropy first" within one model version: the record list and
 * GET /records walk (model_version_id, margin, record_id) or (model_version_id, entropy, record_id) in
 * order and join each record by its key, so a page costs its own rows at a million predictions
 * (src/records/prediction-where.ts, resources/record.resource.ts). record_id last: ties (equal margins)
 * come in record order, so keyset pages neither repeat nor skip a record. Their cost to batch scoring
 * is measured in test/bench/uncertainty.bench.ts and uncertainty-write.bench.ts
 * (docs/benchmarks.md#uncertainty).
 */
/** @type {import('sequelize-cli').Migration} */
module.exports = {
  async up(queryInterface) {
    await queryInterface.sequelize.transaction(async (transaction) => {
      await queryInterface.sequelize.query(
        `CREATE INDEX record_predictions_version_margin_idx ON record_predictions (model_version_id, margin, record_id);
         CREATE INDEX record_predictions_version_entropy_idx ON record_predictions (model_version_id, entropy, record_id);`,
        { transaction },
      );
    });
  },

  async down(queryInterface) {
    await queryInterface.sequelize.query(
      'DROP INDEX record_predictions_version_margin_idx; DROP INDEX record_predictions_version_entropy_idx;',
    );
  },
};
