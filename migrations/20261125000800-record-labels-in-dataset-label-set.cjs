'use strict';

/** @type {import('sequelize-cli').Migration} */
module.exports = {
  async up(queryInterface) {
    // A record's human label must be one of its dataset's labels (when the dataset declares any):
    // enforced here so that the console, the API, imports and the CLI cannot disagree.
    await queryInterface.sequelize.query(`
      CREATE FUNCTION records_label_in_dataset() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE allowed text[];
      BEGIN
        IF NEW.label IS NULL THEN RETURN NEW; END IF;
        SELECT labels INTO allowed FROM datasets WHERE id = NEW.dataset_id;
        IF cardinality(allowed) > 0 AND NOT (NEW.label = ANY (allowed)) THEN
          RAISE EXCEPTION 'label "%" is not one of the dataset''s labels (%)', NEW.label, array_to_string(allowed, ', ')
            USING ERRCODE = 'check_violation', CONSTRAINT = 'records_label_in_dataset';
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER records_label_in_dataset BEFORE INSERT OR UPDATE OF label, dataset_id ON records
        FOR EACH ROW EXECUTE FUNCTION records_label_in_dataset();
    `);
  },

  async down(queryInterface) {
    await queryInterface.sequelize.query(
      'DROP TRIGGER records_label_in_dataset ON records; DROP FUNCTION records_label_in_dataset();',
    );
  },
};
