'use strict';

/** @type {import('sequelize-cli').Migration} */
module.exports = {
  async up(queryInterface) {
    // Periodic retraining per model, and when a retrained version may replace production by itself.
    await queryInterface.sequelize.query(`
      ALTER TABLE models ADD COLUMN retrain_schedule text;
      ALTER TABLE models ADD COLUMN auto_promote_metric text
        CHECK (auto_promote_metric IN ('accuracy', 'macroF1', 'rocAuc'));
      ALTER TABLE models ADD COLUMN auto_promote_margin double precision NOT NULL DEFAULT 0.005
        CHECK (auto_promote_margin >= 0 AND auto_promote_margin <= 1);
    `);
  },

  async down(queryInterface) {
    await queryInterface.sequelize.query(
      'ALTER TABLE models DROP COLUMN retrain_schedule, DROP COLUMN auto_promote_metric, DROP COLUMN auto_promote_margin;',
    );
  },
};
