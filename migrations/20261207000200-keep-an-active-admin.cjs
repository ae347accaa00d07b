'use strict';

/** @type {import('sequelize-cli').Migration} */
module.exports = {
  async up(queryInterface) {
    await queryInterface.sequelize.query(`
      -- At least one active admin, whatever writes the users table: the console, the CLI, a future
      -- route, SQL by hand. Only statements that take an active admin away pay for the check. The
      -- advisory lock (also taken by src/users/keep-an-active-admin.ts) serialises them: two
      -- transactions demoting the last two admins each saw the other one still active; the second now
      -- waits for the first to commit, and its check (a fresh snapshot per statement, READ COMMITTED)
      -- sees the first one's change.
      CREATE FUNCTION users_keep_an_active_admin() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_advisory_xact_lock(1835295076); -- 0x6d646164 "mdad"
        IF NOT EXISTS (SELECT 1 FROM users WHERE role = 'admin' AND active) THEN
          RAISE EXCEPTION 'This change would leave no active admin.'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'users_keep_an_active_admin',
                  HINT = 'Make another user an active admin first.';
        END IF;
        RETURN NULL;
      END $$;
      CREATE TRIGGER users_keep_an_active_admin_on_update AFTER UPDATE OF role, active ON users
        FOR EACH ROW WHEN (OLD.role = 'admin' AND OLD.active AND NOT (NEW.role = 'admin' AND NEW.active))
        EXECUTE FUNCTION users_keep_an_active_admin();
      CREATE TRIGGER users_keep_an_active_admin_on_delete AFTER DELETE ON users
        FOR EACH ROW WHEN (OLD.role = 'admin' AND OLD.active)
        EXECUTE FUNCTION users_keep_an_active_admin();
    `);
  },

  async down(queryInterface) {
    await queryInterface.sequelize.query(`
      DROP TRIGGER users_keep_an_active_admin_on_delete ON users;
      DROP TRIGGER users_keep_an_active_admin_on_update ON users;
      DROP FUNCTION users_keep_an_active_admin();
    `);
  },
};
