'use strict';

/** @type {import('sequelize-cli').Migration} */
module.exports = {
  async up(queryInterface) {
    await queryInterface.sequelize.query(`
      -- Rows per page of the console's lists, as the person last chose (NULL: the console's default).
      -- The choices are the ones the list offers; src/users/list-page-size.ts keeps the same list.
      ALTER TABLE users ADD COLUMN list_page_size smallint
        CONSTRAINT users_list_page_size_choice CHECK (list_page_size IN (10, 25, 50, 100));
    `);
  },

  async down(queryInterface) {
    await queryInterface.sequelize.query(`ALTER TABLE users DROP COLUMN list_page_size;`);
  },
};
