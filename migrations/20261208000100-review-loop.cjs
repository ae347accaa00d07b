'use strict';

/**
 * The data scientist's loop (issue 22): how sure each prediction was, review queues built by a strategy,
 * their work items (claimed by one reviewer at a time, labelled, skipped, second-reviewed), and a sample
 * of what the predict endpoint saw.
 *
 * - `record_predictions.margin` (top-1 minus top-2 probability) and `.entropy` (natural log) are written by
 *   scoring next to the prediction; rows scored before this migration get them computed here.
 * - A queue is materialised when built (its items in order), so a page of it costs an index range, however
 *   many records the dataset holds; the order was chosen once by the strategy.
 * - `review_items` has no foreign key to records (records are soft-deleted; a queue keeps what it showed).
 * - `predict_samples` holds sampled API predictions (PREDICT_SAMPLE_RATE), deleted after the retention days.
 */
/** @type {import('sequelize-cli').Migration} */
module.exports = {
  async up(queryInterface) {
    await queryInterface.sequelize.transaction(async (transaction) => {
      await queryInterface.sequelize.query(
        `
        ALTER TABLE record_predictions ADD COLUMN margin real, ADD COLUMN entropy real;
        COMMENT ON COLUMN record_predictions.margin IS 'Probability of the predicted label minus the next most probable (0: a tie, 1: certain).';
        COMMENT ON COLUMN record_predictions.entropy IS 'Entropy of the probabilities in nats (0: certain, ln k: uniform).';
        UPDATE record_predictions p
           SET margin = s.top[1] - COALESCE(s.top[2], 0), entropy = s.entropy
          FROM (SELECT record_id,
                       (SELECT array_agg(x ORDER BY x DESC) FROM unnest(probabilities) AS x) AS top,
                       (SELECT COALESCE(-sum(x * ln(x)) FILTER (WHERE x > 0), 0) FROM unnest(probabilities) AS x) AS entropy
                  FROM record_predictions) s
         WHERE s.record_id = p.record_id;

        CREATE TABLE review_queues (
          id                  serial PRIMARY KEY,
          name                text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
          dataset_id          integer NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
          model_version_id    integer NOT NULL REFERENCES model_versions (id),
          strategy            text NOT NULL CHECK (strategy IN ('least_margin', 'highest_entropy', 'misclassified', 'disagreement', 'random', 'drift')),
          compare_version_id  integer REFERENCES model_versions (id),
          filter              jsonb NOT NULL DEFAULT '{}',
          second_review       boolean NOT NULL DEFAULT false,
          size                integer NOT NULL DEFAULT 0,
          status              text NOT NULL DEFAULT 'building' CHECK (status IN ('building', 'open', 'closed', 'failed')),
          job_id              bigint,
          created_by          integer REFERENCES users (id) ON DELETE SET NULL,
          created_at          timestamptz NOT NULL DEFAULT now(),
          updated_at          timestamptz NOT NULL DEFAULT now(),
          CONSTRAINT review_queues_disagreement_needs_two CHECK ((strategy = 'disagreement') = (compare_version_id IS NOT NULL))
        );
        CREATE INDEX review_queues_dataset_idx ON review_queues (dataset_id, id DESC);
        COMMENT ON TABLE review_queues IS 'A list of records to review, chosen once by a strategy over one model version''s predictions.';

        CREATE TABLE review_items (
          queue_id          integer NOT NULL REFERENCES review_queues (id) ON DELETE CASCADE,
          position          integer NOT NULL CHECK (position > 0),
          record_id         bigint NOT NULL,
          priority          real,
          state             text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'labelled', 'skipped')),
          claimed_by        integer REFERENCES users (id) ON DELETE SET NULL,
          claim_expires_at  timestamptz,
          label             text,
          previous_label    text,
          labelled_by       integer REFERENCES users (id) ON DELETE SET NULL,
          labelled_at       timestamptz,
          change_set_id     bigint REFERENCES change_sets (id),
          review_verdict    text CHECK (review_verdict IN ('accepted', 'rejected')),
          reviewed_by       integer REFERENCES users (id) ON DELETE SET NULL,
          reviewed_at       timestamptz,
          review_comment    text CHECK (length(review_comment) <= 2000),
          PRIMARY KEY (queue_id, position),
          CONSTRAINT review_items_labelled_complete CHECK ((state = 'labelled') = (label IS NOT NULL AND labelled_at IS NOT NULL)),
          CONSTRAINT review_items_claim_complete CHECK ((claimed_by IS NULL) = (claim_expires_at IS NULL)),
          CONSTRAINT review_items_verdict_complete CHECK ((review_verdict IS NULL) = (reviewed_at IS NULL))
        );
        CREATE INDEX review_items_pending_idx ON review_items (queue_id, position) WHERE state = 'pending';
        CREATE INDEX review_items_record_idx ON review_items (record_id);
        CREATE INDEX review_items_labelled_at_idx ON review_items (labelled_at) WHERE state = 'labelled';
        COMMENT ON COLUMN review_items.priority IS 'The strategy''s value for this record (margin, entropy, …), shown beside it.';
        COMMENT ON COLUMN review_items.change_set_id IS 'The audited edit that set the label (its change-set).';

        CREATE TABLE predict_samples (
          id                bigserial PRIMARY KEY,
          model_version_id  integer NOT NULL,
          created_at        timestamptz NOT NULL DEFAULT now(),
          feature_vector    bytea,
          text              text,
          predicted_label   text NOT NULL,
          probabilities     real[] NOT NULL,
          margin            real NOT NULL
        );
        CREATE INDEX predict_samples_version_idx ON predict_samples (model_version_id, created_at);
        CREATE INDEX predict_samples_created_at_idx ON predict_samples (created_at);
        COMMENT ON TABLE predict_samples IS 'A sample of API predictions (PREDICT_SAMPLE_RATE): the input (feature vector or text) and the answer; kept PREDICT_SAMPLE_RETENTION_DAYS.';
        `,
        { transaction },
      );
    });
  },

  async down(queryInterface) {
    await queryInterface.sequelize.query(`
      DROP TABLE predict_samples;
      DROP TABLE review_items;
      DROP TABLE review_queues;
      ALTER TABLE record_predictions DROP COLUMN margin, DROP COLUMN entropy;
    `);
  },
};
