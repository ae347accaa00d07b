'use strict';

/**
 * The rule "a record's label is one of its dataset's labels (or the dataset has none)" and its refusal
 * were written twice: in the row trigger for updates (migration 000800) and in the statement trigger
 * for inserts (20261126000100). Both now call the same two functions: `label_fits_dataset`, plain SQL
 * that Postgres inlines into the statement trigger's join, and `refuse_label_outside_dataset`, the one
 * message, error code and constraint name clients see.
 */
const PREVIOUS_ROW_CHECK = `
  CREATE OR REPLACE FUNCTION records_label_in_dataset() RETURNS trigger LANGUAGE plpgsql AS $$
  DECLARE allowed text[];
  BEGIN
    IF NEW.label IS NULL THEN RETURN NEW; END IF;
    SELECT labels INTO allowed FROM datasets WHERE id = NEW.dataset_id;
    IF cardinality(allowed) > 0 AND NOT (NEW.label = ANY (allowed)) THEN
      RAISE EXCEPTION 'label "%" is not one of the dataset''s labels (%)', NEW.label, array_to_string(allowed, ', ')
        USING ERRCODE = 'check_violation', CONSTRAINT = 'records_label_in_dataset';
    END IF;
    RETURN NEW;
  END $$;`;

const PREVIOUS_STATEMENT_CHECK = `
  CREATE OR REPLACE FUNCTION records_inserted_labels_in_dataset() RETURNS trigger LANGUAGE plpgsql AS $$
  DECLARE wrong record;
  BEGIN
    SELECT n.label, d.labels INTO wrong
      FROM inserted n JOIN datasets d ON d.id = n.dataset_id
     WHERE n.label IS NOT NULL AND cardinality(d.labels) > 0 AND NOT (n.label = ANY (d.labels))
     LIMIT 1;
    IF FOUND THEN
      RAISE EXCEPTION 'label "%" is not one of the dataset''s labels (%)', wrong.label, array_to_string(wrong.labels, ', ')
        USING ERRCODE = 'check_violation', CONSTRAINT = 'records_label_in_dataset';
    END IF;
    RETURN NULL;
  END $$;`;

/** @type {import('sequelize-cli').Migration} */
module.exports = {
  async up(queryInterface) {
    await queryInterface.sequelize.query(`
      CREATE FUNCTION label_fits_dataset(label text, labels text[]) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT label IS NULL OR coalesce(cardinality(labels), 0) = 0 OR label = ANY (labels)
      $$;

      CREATE FUNCTION refuse_label_outside_dataset(label text, labels text[]) RETURNS void LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'label "%" is not one of the dataset''s labels (%)', label, array_to_string(labels, ', ')
          USING ERRCODE = 'check_violation', CONSTRAINT = 'records_label_in_dataset';
      END $$;

      CREATE OR REPLACE FUNCTION records_label_in_dataset() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE allowed text[];
      BEGIN
        IF NEW.label IS NULL THEN RETURN NEW; END IF;
        SELECT labels INTO allowed FROM datasets WHERE id = NEW.dataset_id;
        IF NOT label_fits_dataset(NEW.label, allowed) THEN PERFORM refuse_label_outside_dataset(NEW.label, allowed); END IF;
        RETURN NEW;
      END $$;

      CREATE OR REPLACE FUNCTION records_inserted_labels_in_dataset() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE wrong record;
      BEGIN
        SELECT n.label, d.labels INTO wrong
          FROM inserted n JOIN datasets d ON d.id = n.dataset_id
         WHERE NOT label_fits_dataset(n.label, d.labels)
         LIMIT 1;
        IF FOUND THEN PERFORM refuse_label_outside_dataset(wrong.label, wrong.labels); END IF;
        RETURN NULL;
      END $$;
    `);
  },

  async down(queryInterface) {
    await queryInterface.sequelize.query(`
      ${PREVIOUS_ROW_CHECK}
      ${PREVIOUS_STATEMENT_CHECK}
      DROP FUNCTION refuse_label_outside_dataset(text, text[]);
      DROP FUNCTION label_fits_dataset(text, text[]);
    `);
  },
};
