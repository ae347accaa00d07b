'use strict';

/**
 * Predictions move out of `records` into their own narrow table, one row per scored record.
 *
 * Why: updating a prediction in `records` rewrites the whole (wide) row and, because the prediction
 * columns were indexed, inserts into all eleven of its indexes (two of them GIN): 30,000 rows/s at a
 * million records on 2 cores. A narrow table written with COPY takes 170,000 rows/s, and an edit of a
 * record and a scoring job never touch the same row (scoring cannot overwrite an edit).
 *
 * No per-row foreign keys: each one is a trigger query per inserted row (64,000 rows/s with two).
 * Instead: model versions can never be deleted (model_versions_no_change) and scoring checks the
 * version once per job; a hard delete of records removes their predictions (statement trigger below).
 */
/** @type {import('sequelize-cli').Migration} */
module.exports = {
  async up(queryInterface) {
    await queryInterface.sequelize.transaction(async (transaction) => {
      await queryInterface.sequelize.query(
        `
        CREATE TABLE record_predictions (
          record_id         bigint PRIMARY KEY,
          model_version_id  integer NOT NULL,
          predicted_label   text NOT NULL,
          score             real NOT NULL CHECK (score BETWEEN 0 AND 1),
          probabilities     real[] NOT NULL,
          job_id            bigint,
          scored_at         timestamptz NOT NULL DEFAULT now()
        );
        COMMENT ON TABLE record_predictions IS 'Latest prediction per record: label, probability of that label, probabilities in the version''s label order, the exact version and job.';
        CREATE INDEX record_predictions_version_label_idx ON record_predictions (model_version_id, predicted_label);
        CREATE INDEX record_predictions_label_idx ON record_predictions (predicted_label);

        INSERT INTO record_predictions (record_id, model_version_id, predicted_label, score, probabilities, scored_at)
        SELECT r.id, r.scored_by_version_id, r.predicted_label, COALESCE(r.score, 0),
               ARRAY(SELECT COALESCE((r.probabilities ->> l)::real, 0) FROM jsonb_array_elements_text(v.output_schema -> 'labels') AS l),
               r.scored_at
          FROM records r JOIN model_versions v ON v.id = r.scored_by_version_id
         WHERE r.predicted_label IS NOT NULL;

        ALTER TABLE records DROP CONSTRAINT records_prediction_complete;
        ALTER TABLE records DROP COLUMN predicted_label, DROP COLUMN score, DROP COLUMN probabilities,
                            DROP COLUMN scored_by_version_id, DROP COLUMN scored_at;

        CREATE FUNCTION records_drop_predictions() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          DELETE FROM record_predictions p USING removed WHERE p.record_id = removed.id;
          RETURN NULL;
        END $$;
        CREATE TRIGGER records_drop_predictions AFTER DELETE ON records
          REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION records_drop_predictions();
        `,
        { transaction },
      );
    });
  },

  async down() {
    throw new Error('Predictions cannot move back into records automatically; restore from a backup.');
  },
};
