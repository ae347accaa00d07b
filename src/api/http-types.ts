import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * What the API's middleware may use of a request and a response: Node's own objects plus the few
 * fields they add. Express's request and response have all of it, and so do the plain ones of the
 * predict fast path (predict-fast-path.ts), so one chain serves both.
 */
export type ApiRequest = IncomingMessage & { ip?: string | undefined; bodyText?: string | undefined };
export type ApiResponse = ServerResponse & { locals: Record<string, unknown> };
export type ApiHandler = (req: ApiRequest, res: ApiResponse, next: (error?: unknown) => void) => void;
