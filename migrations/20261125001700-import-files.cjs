'use strict';

/** @type {import('sequelize-cli').Migration} */
module.exports = {
  async up(queryInterface) {
    await queryInterface.sequelize.transaction(async (transaction) => {
      await queryInterface.sequelize.query(
        `
        -- CSV files uploaded for import, kept in Postgres (not on the web host's disk) so that a
        -- worker on another host reads them; stored in ~1 MiB chunks so neither side ever holds
        -- a whole file in memory.
        CREATE TABLE import_files (
          id            bigserial PRIMARY KEY,
          dataset_id    integer NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
          file_name     text NOT NULL CHECK (file_name <> '' AND file_name !~ '[/\\\\]'),
          size_bytes    bigint NOT NULL CHECK (size_bytes > 0),
          sha256        text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
          columns       text[] NOT NULL,
          created_by_id integer REFERENCES users (id) ON DELETE SET NULL,
          created_at    timestamptz NOT NULL DEFAULT now(),
          -- Set by the apply that imported it (its chunks are deleted then): a file is imported once.
          applied_at    timestamptz
        );
        CREATE INDEX import_files_dataset_id_idx ON import_files (dataset_id);
        CREATE TABLE import_file_chunks (
          file_id bigint NOT NULL REFERENCES import_files (id) ON DELETE CASCADE,
          seq     integer NOT NULL CHECK (seq >= 0),
          data    bytea NOT NULL,
          PRIMARY KEY (file_id, seq)
        );
        `,
        { transaction },
      );
    });
  },

  async down(queryInterface) {
    await queryInterface.sequelize.query('DROP TABLE import_file_chunks; DROP TABLE import_files;');
  },
};
