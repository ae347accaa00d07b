'use strict';

/** @type {import('sequelize-cli').Migration} */
module.exports = {
  async up(queryInterface) {
    await queryInterface.sequelize.transaction(async (transaction) => {
      await queryInterface.sequelize.query(
        `
        -- Trigram index for substring search over record text (ILIKE '%word%' uses it).
        CREATE EXTENSION IF NOT EXISTS pg_trgm;

        CREATE TYPE dataset_task AS ENUM ('text-classification', 'tabular-classification');
        CREATE TYPE record_split AS ENUM ('train', 'test', 'holdout');

        CREATE TABLE datasets (
          id              serial PRIMARY KEY,
          name            text NOT NULL CHECK (name ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
          description     text,
          task            dataset_task NOT NULL,
          labels          text[] NOT NULL DEFAULT '{}',
          feature_schema  jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(feature_schema) = 'array'),
          source          text,
          license         text,
          created_at      timestamptz NOT NULL DEFAULT now(),
          updated_at      timestamptz NOT NULL DEFAULT now()
        );
        CREATE UNIQUE INDEX datasets_name_key ON datasets (name);

        CREATE TABLE records (
          id                    bigserial PRIMARY KEY,
          dataset_id            integer NOT NULL REFERENCES datasets (id) ON DELETE RESTRICT,
          text                  text,
          features              jsonb CHECK (features IS NULL OR jsonb_typeof(features) = 'object'),
          label                 text CHECK (label IS NULL OR length(label) BETWEEN 1 AND 64),
          split                 record_split NOT NULL DEFAULT 'train',
          tags                  text[] NOT NULL DEFAULT '{}',
          source                text,
          predicted_label       text,
          score                 double precision CHECK (score IS NULL OR score BETWEEN 0 AND 1),
          probabilities         jsonb,
          scored_by_version_id  integer,
          scored_at             timestamptz,
          created_at            timestamptz NOT NULL DEFAULT now(),
          updated_at            timestamptz NOT NULL DEFAULT now(),
          deleted_at            timestamptz,
          CONSTRAINT records_has_input CHECK (text IS NOT NULL OR features IS NOT NULL),
          CONSTRAINT records_prediction_complete CHECK (
            (predicted_label IS NULL AND scored_by_version_id IS NULL AND scored_at IS NULL)
            OR (predicted_label IS NOT NULL AND scored_by_version_id IS NOT NULL AND scored_at IS NOT NULL)
          )
        );
        CREATE INDEX records_dataset_id_idx ON records (dataset_id, id);
        CREATE INDEX records_label_idx ON records (label);
        CREATE INDEX records_split_idx ON records (split);
        CREATE INDEX records_predicted_label_idx ON records (predicted_label);
        CREATE INDEX records_created_at_idx ON records (created_at);
        CREATE INDEX records_updated_at_idx ON records (updated_at);
        CREATE INDEX records_scored_at_idx ON records (scored_at);
        CREATE INDEX records_scored_by_version_id_idx ON records (scored_by_version_id);
        CREATE INDEX records_tags_idx ON records USING gin (tags);
        CREATE INDEX records_text_trgm_idx ON records USING gin (text gin_trgm_ops);
        `,
        { transaction },
      );
    });
  },

  async down(queryInterface) {
    await queryInterface.sequelize.query(
      'DROP TABLE records; DROP TABLE datasets; DROP TYPE record_split; DROP TYPE dataset_task;',
    );
  },
};
