'use strict';

/**
 * record_predictions keeps one secondary index, (model_version_id, predicted_label). The index on
 * predicted_label alone was redundant from Postgres 18, whose B-tree skip scan answers
 * `predicted_label = …` from the two-column index (a probe per version: "Index Searches: 3" for a
 * label no record has, at a million predictions), and each index on this table costs batch scoring
 * about 1.1 s of Postgres time per million predictions written. On Postgres older than 18, a filter
 * on the predicted label alone walks the records in id order and probes their predictions instead.
 */
/** @type {import('sequelize-cli').Migration} */
module.exports = {
  async up(queryInterface) {
    await queryInterface.sequelize.query('DROP INDEX record_predictions_label_idx');
  },

  async down(queryInterface) {
    await queryInterface.sequelize.query(
      'CREATE INDEX record_predictions_label_idx ON record_predictions (predicted_label)',
    );
  },
};
