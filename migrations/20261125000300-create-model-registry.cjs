'use strict';

/** @type {import('sequelize-cli').Migration} */
module.exports = {
  async up(queryInterface) {
    await queryInterface.sequelize.transaction(async (transaction) => {
      await queryInterface.sequelize.query(
        `
        CREATE TABLE models (
          id             serial PRIMARY KEY,
          name           text NOT NULL CHECK (name ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
          description    text,
          dataset_id     integer NOT NULL REFERENCES datasets (id) ON DELETE RESTRICT,
          task           dataset_task NOT NULL,
          created_by_id  integer REFERENCES users (id) ON DELETE SET NULL,
          created_at     timestamptz NOT NULL DEFAULT now(),
          updated_at     timestamptz NOT NULL DEFAULT now()
        );
        CREATE UNIQUE INDEX models_name_key ON models (name);
        CREATE INDEX models_dataset_id_idx ON models (dataset_id);

        CREATE TABLE model_versions (
          id                 serial PRIMARY KEY,
          model_id           integer NOT NULL REFERENCES models (id) ON DELETE RESTRICT,
          version            integer NOT NULL CHECK (version > 0),
          onnx               bytea NOT NULL,
          sha256             char(64) NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
          size_bytes         integer NOT NULL CHECK (size_bytes > 0),
          input_schema       jsonb NOT NULL,
          output_schema      jsonb NOT NULL,
          trainer            text NOT NULL,
          hyperparameters    jsonb NOT NULL DEFAULT '{}',
          training_snapshot  jsonb,
          metrics            jsonb NOT NULL DEFAULT '{}',
          created_by_id      integer REFERENCES users (id) ON DELETE SET NULL,
          parent_version_id  integer REFERENCES model_versions (id) ON DELETE RESTRICT,
          created_at         timestamptz NOT NULL DEFAULT now(),
          UNIQUE (model_id, version),
          UNIQUE (id, model_id)
        );
        CREATE INDEX model_versions_created_at_idx ON model_versions (created_at);

        -- A version is a fact about the past: what served predictions must stay exactly as it was.
        CREATE FUNCTION model_versions_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          RAISE EXCEPTION 'model versions are immutable: create a new version instead'
            USING ERRCODE = 'restrict_violation';
        END $$;
        CREATE TRIGGER model_versions_no_change BEFORE UPDATE OR DELETE ON model_versions
          FOR EACH ROW EXECUTE FUNCTION model_versions_immutable();

        ALTER TABLE records ADD CONSTRAINT records_scored_by_version_id_fkey
          FOREIGN KEY (scored_by_version_id) REFERENCES model_versions (id) ON DELETE RESTRICT;

        CREATE TABLE model_aliases (
          id             serial PRIMARY KEY,
          model_id       integer NOT NULL REFERENCES models (id) ON DELETE CASCADE,
          alias          text NOT NULL CHECK (alias ~ '^[a-z][a-z0-9_-]{0,39}$'),
          version_id     integer NOT NULL,
          updated_by_id  integer REFERENCES users (id) ON DELETE SET NULL,
          created_at     timestamptz NOT NULL DEFAULT now(),
          updated_at     timestamptz NOT NULL DEFAULT now(),
          UNIQUE (model_id, alias),
          -- An alias can only point at a version of its own model.
          FOREIGN KEY (version_id, model_id) REFERENCES model_versions (id, model_id) ON DELETE RESTRICT
        );
        CREATE INDEX model_aliases_version_id_idx ON model_aliases (version_id);
        `,
        { transaction },
      );
    });
  },

  async down(queryInterface) {
    await queryInterface.sequelize.query(`
      DROP TABLE model_aliases;
      ALTER TABLE records DROP CONSTRAINT records_scored_by_version_id_fkey;
      DROP TABLE model_versions; DROP FUNCTION model_versions_immutable(); DROP TABLE models;
    `);
  },
};
