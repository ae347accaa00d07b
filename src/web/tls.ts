import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import { ConfigError, type Config } from '../platform/config.js';

/** What HTTPS needs, read once at start-up. */
export interface TlsCredentials {
  cert: Buffer;
  key: Buffer;
}

/**
 * TLS_CERT and TLS_KEY (PEM files) when set: read and checked to belong together now, so a wrong
 * path or a key of another certificate stops the start with the variable named, not the first request.
 */
export function readTlsCredentials(config: Pick<Config, 'TLS_CERT' | 'TLS_KEY'>): TlsCredentials | null {
  if (!config.TLS_CERT || !config.TLS_KEY) return null;
  const cert = readPem('TLS_CERT', config.TLS_CERT);
  const key = readPem('TLS_KEY', config.TLS_KEY);
  try {
    tls.createSecureContext({ cert, key });
  } catch (error) {
    throw new ConfigError([
      `TLS_CERT/TLS_KEY: not a usable certificate and private key pair (${(error as Error).message}). Give the PEM certificate chain and its own private key.`,
    ]);
  }
  return { cert, key };
}

function readPem(name: string, file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (error) {
    throw new ConfigError([
      `${name}=${JSON.stringify(file)}: cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); give the path of a PEM file this process may read.`,
    ]);
  }
}

/** The server for `listener`: HTTPS with `credentials`, plain HTTP without. */
export function createWebServer(listener: http.RequestListener, credentials: TlsCredentials | null): http.Server {
  // Node's https.Server is an http.Server with TLS in front: the rest of the code handles both alike.
  return credentials
    ? https.createServer({ cert: credentials.cert, key: credentials.key }, listener)
    : http.createServer(listener);
}

/**
 * The plain-HTTP listener of HTTP_REDIRECT_PORT: every request is sent to the same host and path over
 * HTTPS on `httpsPort` (308 keeps the method), and nothing else is served on plain HTTP.
 */
export function redirectToHttps(httpsPort: number): http.RequestListener {
  return (req, res) => {
    const hostname = hostnameOf(req.headers.host);
    if (!hostname) {
      res
        .writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' })
        .end("Missing or malformed Host header: use https:// and the server's name.\n");
      return;
    }
    const location = `https://${hostname}${httpsPort === 443 ? '' : `:${httpsPort}`}${req.url?.startsWith('/') ? req.url : '/'}`;
    res
      .writeHead(308, { Location: location, 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' })
      .end(`This server answers over HTTPS: ${location}\n`);
  };
}

/** The host name of a Host header without its port (IPv6 in brackets kept); null when it is not a host name. */
function hostnameOf(host: string | undefined): string | null {
  const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::\d+)?$/.exec(host ?? '');
  return match ? match[1]! : null;
}
