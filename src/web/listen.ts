import type { Server } from 'node:http';
import { Unavailable } from '../errors/domain-error.js';

/** Starts `server` on `port` of `host`; a port in use is reported as what to do about it. */
export function listen(server: Server, port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    server.listen(port, host);
    server.once('listening', () => resolve(server));
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new Unavailable(
              'server.port_in_use',
              `Port ${port} on ${host} is in use: stop the other process or set PORT to a free port.`,
              undefined,
              { cause: error },
            )
          : error,
      );
    });
  });
}

/** Stops accepting, lets in-flight requests finish (bounded), then drops idle keep-alive connections. */
export function closeServer(server: Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => server.closeAllConnections(), graceMs);
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}
