'use strict';
// Connection settings for sequelize-cli (`npx sequelize-cli db:migrate:status`): DATABASE_URL only.
const connection = { use_env_variable: 'DATABASE_URL', dialect: 'postgres' };
module.exports = { development: connection, test: connection, production: connection };
