'use strict';

/**
 * Full before-images of every change to records, at any size (issue 20). A change-set is one audited
 * write (an edit, a bulk edit, an import, a restore, a revert); record_changes holds, per record it
 * changed, the previous and new values of the fields that changed. Statement-level triggers on records
 * fill it from the transition tables, so no writer can forget: the writer only opens the change-set
 * (src/records/history/open-change-set.ts) by setting `modeldesk.change_set` for its transaction.
 * An UPDATE that changes a tracked field with none open is refused: an untracked write is a bug.
 * An INSERT with none open (seeding, generated datasets) records nothing.
 *
 * Tracked fields, as jsonb keys (camelCase, as the model names them): datasetId, text, features,
 * label, split, tags, source, deletedAt. deletedAt is written as UTC ISO text with a Z, whatever the
 * session's time zone, so the stored rows (and their digest) do not depend on who wrote them.
 */
const FIELDS = [
  ['datasetId', 'dataset_id', (c) => `to_jsonb(${c})`],
  ['text', 'text', (c) => `to_jsonb(${c})`],
  ['features', 'features', (c) => `coalesce(${c}, 'null'::jsonb)`],
  ['label', 'label', (c) => `to_jsonb(${c})`],
  ['split', 'split', (c) => `to_jsonb(${c}::text)`],
  ['tags', 'tags', (c) => `to_jsonb(${c})`],
  ['source', 'source', (c) => `to_jsonb(${c})`],
  ['deletedAt', 'deleted_at', (c) => `to_jsonb(to_char(${c} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))`],
];

/** {key: value} of the fields that differ between o and n, taking each value from `side`. */
function changedFields(side) {
  return FIELDS.map(
    ([key, column, json]) =>
      `CASE WHEN o.${column} IS DISTINCT FROM n.${column} THEN jsonb_build_object('${key}', coalesce(${json(`${side}.${column}`)}, 'null'::jsonb)) ELSE '{}'::jsonb END`,
  ).join(' || ');
}

const differs = `(${FIELDS.map(([, c]) => `o.${c}`).join(', ')}) IS DISTINCT FROM (${FIELDS.map(([, c]) => `n.${c}`).join(', ')})`;

/** The open change-set of this transaction, or NULL; refuses one that was already closed. */
const OPEN_CHANGE_SET = `
  cs := nullif(current_setting('modeldesk.change_set', true), '')::bigint;
  IF cs IS NOT NULL AND EXISTS (SELECT 1 FROM public.change_sets WHERE id = cs AND digest IS NOT NULL) THEN
    RAISE EXCEPTION 'change-set % is closed: open a new one for further changes to records', cs
      USING ERRCODE = 'object_not_in_prerequisite_state';
  END IF;`;

/** @type {import('sequelize-cli').Migration} */
module.exports = {
  async up(queryInterface) {
    const sequelize = queryInterface.sequelize;
    // Outside the transaction below: a value added to an enum cannot be used in the transaction that adds it.
    await sequelize.query(`ALTER TYPE job_kind ADD VALUE IF NOT EXISTS 'revert'`);
    await sequelize.transaction(async (transaction) => {
      await sequelize.query(
        `
      CREATE TABLE change_sets (
        id            bigserial PRIMARY KEY,
        action        text NOT NULL,
        actor_label   text NOT NULL,
        actor_id      text,
        created_at    timestamptz NOT NULL DEFAULT now(),
        audit_seq     bigint UNIQUE,
        record_count  integer NOT NULL DEFAULT 0,
        fields        text[] NOT NULL DEFAULT '{}',
        digest        text CHECK (digest IS NULL OR digest ~ '^[0-9a-f]{64}$'),
        reverts_change_set_id bigint REFERENCES change_sets (id)
      );
      CREATE INDEX change_sets_reverts_idx ON change_sets (reverts_change_set_id) WHERE reverts_change_set_id IS NOT NULL;

      CREATE TABLE record_changes (
        change_set_id bigint NOT NULL REFERENCES change_sets (id),
        record_id     bigint NOT NULL,
        kind          "char" NOT NULL CHECK (kind IN ('c', 'u')),
        before        jsonb NOT NULL,
        after         jsonb NOT NULL,
        PRIMARY KEY (change_set_id, record_id)
      );
      -- A record's History, newest first, however many change-sets there are.
      CREATE INDEX record_changes_by_record ON record_changes (record_id, change_set_id DESC);

      ALTER TABLE audit_events ADD COLUMN change_set jsonb;

      -- SECURITY DEFINER: a record changed twice in one change-set merges into its row (first before,
      -- last after), and the application's role may only append to record_changes, not update it.
      CREATE FUNCTION records_capture_update() RETURNS trigger LANGUAGE plpgsql
        SECURITY DEFINER SET search_path = pg_catalog, public AS $$
      DECLARE cs bigint;
      BEGIN
        ${OPEN_CHANGE_SET}
        IF cs IS NULL THEN
          IF EXISTS (SELECT 1 FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE ${differs}) THEN
            RAISE EXCEPTION 'records changed outside a change-set: open one (openChangeSet) in the same transaction'
              USING ERRCODE = 'object_not_in_prerequisite_state',
                    HINT = 'every change to records is recorded with its previous values; see docs/audit-log.md';
          END IF;
          RETURN NULL;
        END IF;
        INSERT INTO record_changes AS rc (change_set_id, record_id, kind, before, after)
        SELECT cs, n.id, 'u', ${changedFields('o')}, ${changedFields('n')}
          FROM old_rows o JOIN new_rows n ON n.id = o.id
         WHERE ${differs}
        ON CONFLICT (change_set_id, record_id) DO UPDATE
          SET before = CASE WHEN rc.kind = 'c' THEN rc.before ELSE excluded.before || rc.before END,
              after = CASE WHEN rc.kind = 'c' THEN rc.after ELSE rc.after || excluded.after END;
        RETURN NULL;
      END $$;

      CREATE FUNCTION records_capture_insert() RETURNS trigger LANGUAGE plpgsql
        SECURITY DEFINER SET search_path = pg_catalog, public AS $$
      DECLARE cs bigint;
      BEGIN
        ${OPEN_CHANGE_SET}
        IF cs IS NOT NULL THEN
          INSERT INTO record_changes (change_set_id, record_id, kind, before, after)
          SELECT cs, n.id, 'c', '{}'::jsonb, '{}'::jsonb FROM new_rows n;
        END IF;
        RETURN NULL;
      END $$;

      CREATE TRIGGER records_capture_update AFTER UPDATE ON records
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION records_capture_update();
      CREATE TRIGGER records_capture_insert AFTER INSERT ON records
        REFERENCING NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION records_capture_insert();
    `,
        { transaction },
      );
    });
  },

  async down(queryInterface) {
    await queryInterface.sequelize.query(`
      DROP TRIGGER records_capture_insert ON records;
      DROP TRIGGER records_capture_update ON records;
      DROP FUNCTION records_capture_insert();
      DROP FUNCTION records_capture_update();
      ALTER TABLE audit_events DROP COLUMN change_set;
      DROP TABLE record_changes;
      DROP TABLE change_sets;
    `);
  },
};
