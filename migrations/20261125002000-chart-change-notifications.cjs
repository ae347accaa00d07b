'use strict';

/**
 * The console's charts cache their SQL aggregates in each web process (src/charts/chart-cache.ts) and
 * drop them when the data under them changes, whatever wrote it: console, API, CLI, a job, or SQL by
 * hand. One NOTIFY per statement (deduplicated per transaction by Postgres), never per row: a million-row
 * COPY or a bulk edit costs one notification. The payload is the table's name (migration 001600).
 */
/** @type {import('sequelize-cli').Migration} */
module.exports = {
  async up(queryInterface) {
    await queryInterface.sequelize.query(`
      CREATE TRIGGER records_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON records
        FOR EACH STATEMENT EXECUTE FUNCTION modeldesk_notify_change();
      CREATE TRIGGER record_predictions_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON record_predictions
        FOR EACH STATEMENT EXECUTE FUNCTION modeldesk_notify_change();
      -- Versions are immutable: a new one (with its metrics) is the only change.
      CREATE TRIGGER model_versions_notify AFTER INSERT ON model_versions
        FOR EACH STATEMENT EXECUTE FUNCTION modeldesk_notify_change();
      -- Charts leave soft-deleted records out of prediction counts with an anti-join on this list: small
      -- (only deleted rows are in it) and free for the inserts and edits of live ones.
      CREATE INDEX records_deleted_idx ON records (id) WHERE deleted_at IS NOT NULL;
      -- "Edited per day" reads only edited records: a loaded or imported row (updated_at = created_at)
      -- is not in this index, so bulk loads do not pay for it and a million new rows cost the chart nothing.
      CREATE INDEX records_edited_idx ON records (dataset_id, updated_at) WHERE updated_at <> created_at;
    `);
  },

  async down(queryInterface) {
    await queryInterface.sequelize.query(`
      DROP TRIGGER records_notify ON records;
      DROP TRIGGER record_predictions_notify ON record_predictions;
      DROP TRIGGER model_versions_notify ON model_versions;
      DROP INDEX records_deleted_idx;
      DROP INDEX records_edited_idx;
    `);
  },
};
