import type pg from 'pg';
import type { Sequelize } from 'sequelize';

/**
 * A connection of Sequelize's pool as a plain pg client, for what Sequelize cannot do (COPY,
 * server-side cursors); released to the pool when `work` ends, however it ends.
 */
export async function withRawConnection<T>(sequelize: Sequelize, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const manager = sequelize.connectionManager as unknown as {
    getConnection(o: object): Promise<pg.Client>;
    releaseConnection(c: pg.Client): Promise<void>;
  };
  const client = await manager.getConnection({ type: 'write' });
  try {
    return await work(client);
  } finally {
    await manager.releaseConnection(client);
  }
}

/** `count` connections at once (e.g. readers and a writer working side by side), all released at the end. */
export async function withRawConnections<T>(
  sequelize: Sequelize,
  count: number,
  work: (clients: pg.Client[]) => Promise<T>,
): Promise<T> {
  const take = async (clients: pg.Client[]): Promise<T> =>
    clients.length === count ? work(clients) : withRawConnection(sequelize, (client) => take([...clients, client]));
  return take([]);
}
