'use strict';

/** @type {import('sequelize-cli').Migration} */
module.exports = {
  async up(queryInterface) {
    await queryInterface.sequelize.transaction(async (transaction) => {
      await queryInterface.sequelize.query(
        `
        CREATE TYPE job_kind AS ENUM ('train', 'score', 'import', 'export', 'evaluate');
        CREATE TYPE job_status AS ENUM ('queued', 'running', 'succeeded', 'failed', 'cancelled');

        CREATE TABLE jobs (
          id              bigserial PRIMARY KEY,
          kind            job_kind NOT NULL,
          params          jsonb NOT NULL DEFAULT '{}',
          status          job_status NOT NULL DEFAULT 'queued',
          progress_done   bigint NOT NULL DEFAULT 0 CHECK (progress_done >= 0),
          progress_total  bigint CHECK (progress_total IS NULL OR progress_total >= 0),
          checkpoint      jsonb,
          result          jsonb,
          error           text,
          attempts        integer NOT NULL DEFAULT 0,
          max_attempts    integer NOT NULL DEFAULT 3 CHECK (max_attempts > 0),
          run_after       timestamptz NOT NULL DEFAULT now(),
          locked_by       text,
          heartbeat_at    timestamptz,
          cancel_requested boolean NOT NULL DEFAULT false,
          created_by_id   integer REFERENCES users (id) ON DELETE SET NULL,
          created_at      timestamptz NOT NULL DEFAULT now(),
          started_at      timestamptz,
          finished_at     timestamptz,
          updated_at      timestamptz NOT NULL DEFAULT now()
        );
        -- Workers claim with FOR UPDATE SKIP LOCKED over this partial index.
        CREATE INDEX jobs_claimable_idx ON jobs (run_after, id) WHERE status = 'queued';
        CREATE INDEX jobs_status_idx ON jobs (status);
        CREATE INDEX jobs_created_by_id_idx ON jobs (created_by_id);
        CREATE INDEX jobs_created_at_idx ON jobs (created_at);
        `,
        { transaction },
      );
    });
  },

  async down(queryInterface) {
    await queryInterface.sequelize.query('DROP TABLE jobs; DROP TYPE job_status; DROP TYPE job_kind;');
  },
};
