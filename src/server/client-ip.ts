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

/**
 * Whether the request came over HTTPS: to this server's TLS, or (TRUST_PROXY) to the proxy that says so
 * in X-Forwarded-Proto. Express's `req.secure` answers the same; this is for requests answered without Express.
 */
export function arrivedOverHttps(req: IncomingMessage, trustProxy: boolean): boolean {
  if ((req.socket as { encrypted?: boolean }).encrypted) return true;
  if (!trustProxy) return false;
  const forwarded = req.headers['x-forwarded-proto'];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
  return first === 'https';
}
