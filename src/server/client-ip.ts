import type { IncomingMessage } from 'node:http';
import proxyaddr from 'proxy-addr';

/**
 * The client's address: the peer's, or behind a trusted proxy (TRUST_PROXY) the address that proxy
 * reports in X-Forwarded-For (one hop). Express's `req.ip` with `trust proxy` = 1 answers the same;
 * this is for requests answered without Express.
 */
export function clientIp(req: IncomingMessage, trustProxy: boolean): string | undefined {
  return trustProxy ? proxyaddr(req, (_address, hop) => hop < 1) : req.socket.remoteAddress;
}
