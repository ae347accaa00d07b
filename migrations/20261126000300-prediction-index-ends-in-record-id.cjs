'use strict';

/**
 * The one secondary index of record_predictions becomes (model_version_id, predicted_label,
 * record_id): the same cost per prediction written (measured within noise of the two-column one at a
 * million rows), and it answers "the newest record with this prediction" by one descent for a
 * version and label, and by an index-only skip scan for a version or a label alone. The record list
 * uses that as an upper bound on the records it walks in id order (src/records/prediction-where.ts):
 * without it, a list filtered by prediction walked every newer record that was never scored before
 * reaching the first one that was (2.5 s with a million unscored records above a million scored ones).
 */
/** @type {import('sequelize-cli').Migration} */
module.exports = {
  async up(queryInterface) {
    await queryInterface.sequelize.transaction(async (transaction) => {
      await queryInterface.sequelize.query(
        `DROP INDEX record_predictions_version_label_idx;
         CREATE INDEX record_predictions_version_label_idx ON record_predictions (model_version_id, predicted_label, record_id);`,
        { transaction },
      );
    });
  },

  async down(queryInterface) {
    await queryInterface.sequelize.transaction(async (transaction) => {
      await queryInterface.sequelize.query(
        `DROP INDEX record_predictions_version_label_idx;
         CREATE INDEX record_predictions_version_label_idx ON record_predictions (model_version_id, predicted_label);`,
        { transaction },
      );
    });
  },
};
