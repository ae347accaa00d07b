import type { IncomingMessage } from 'node:http';
import type { ApiHandler, ApiRequest } from './http-types.js';
import { HttpProblem } from './problem.js';

const WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

/**
 * The API's one body reader: JSON only (415 for a body of another type), UTF-8, at most `limitBytes`
 * (413 past it, without reading the rest), returned as text (`parseJson` parses it). Used by every
 * /api route, including the predict fast path. A request without a body has none (`undefined`).
 */
export async function readJsonText(req: IncomingMessage, limitBytes: number): Promise<string | undefined> {
  if (!WITH_BODY.has(req.method ?? '')) return undefined;
  const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  if (!hasBody) return undefined;
  if (!isJson(req.headers['content-type'])) {
    throw new HttpProblem(
      415,
      'body.not_json',
      `Send the body as JSON with "Content-Type: application/json" (got ${req.headers['content-type'] ?? 'no Content-Type'}).`,
    );
  }
  const declared = Number(req.headers['content-length'] ?? Number.NaN);
  if (declared > limitBytes) throw tooLarge(declared, limitBytes);
  const encoding = req.headers['content-encoding'];
  if (encoding && encoding !== 'identity')
    throw new HttpProblem(
      415,
      'body.unsupported_encoding',
      `Content-Encoding "${encoding}" is not accepted: send the JSON body uncompressed.`,
    );
  const text = await readText(req, limitBytes);
  return text.trim() === '' ? undefined : text;
}

/**
 * A `\u0000` escape in a JSON string (not an escaped backslash followed by "u0000"). Raw NUL bytes
 * are not valid inside JSON strings, so this escape is the only way a NUL character gets in.
 */
const NUL_ESCAPE = /(?:^|[^\\])(?:\\\\)*\\u0000/;

/**
 * JSON.parse, failing with the API's 400 problem. Text with a NUL character is refused too:
 * Postgres cannot store one in text (the insert fails: a 500 for the caller's input).
 */
export function parseJson(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HttpProblem(
      400,
      'body.malformed_json',
      'The request body is not valid JSON: check quotes, commas and brackets.',
    );
  }
  if (NUL_ESCAPE.test(text))
    throw new HttpProblem(
      400,
      'body.nul_character',
      'The request body has a NUL character (\\u0000) in a string: text cannot contain one; remove it.',
    );
  return value;
}

/** The body as UTF-8 text, refusing it (and dropping the rest) once it passes the limit. */
function readText(req: IncomingMessage, limitBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) {
        req.off('data', onData);
        req.resume();
        reject(tooLarge(size, limitBytes));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () =>
      resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks, size).toString('utf8')),
    );
    req.once('error', reject);
    req.once('aborted', () => reject(new HttpProblem(400, 'body.aborted', 'The request body was cut off.')));
  });
}

/**
 * Middleware: `req.bodyText`, the JSON body as it came (checked, not parsed); routes parse it with
 * `bodyOf` when they need it, so a route that hands a large body to a worker thread never parses it
 * on the web thread.
 */
export function jsonBody(limitBytes: number): ApiHandler {
  return (req, _res, next) => {
    readJsonText(req, limitBytes).then((text) => {
      req.bodyText = text;
      next();
    }, next);
  };
}

/** The request's parsed JSON body (undefined without one); a malformed body is a 400 problem. */
export function bodyOf(req: ApiRequest): unknown {
  return req.bodyText === undefined ? undefined : parseJson(req.bodyText);
}

export function isJson(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const type = contentType.split(';', 1)[0]!.trim().toLowerCase();
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}

function tooLarge(bytes: number, limit: number): HttpProblem {
  return new HttpProblem(
    413,
    'body.too_large',
    `The request body (${bytes} bytes or more) is over the limit of ${limit} bytes: send fewer instances per request (API_MAX_BODY_KB).`,
  );
}
