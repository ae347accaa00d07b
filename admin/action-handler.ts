import type { ActionContext, ActionHandler, ActionRequest, ActionResponse, NoticeMessage } from 'adminjs';
import { ZodError } from 'zod';
import { DomainError } from '../src/errors/domain-error.js';
import { logger } from '../src/platform/logger.js';
import { currentRequestContext } from '../src/platform/request-context.js';

/**
 * Wraps a custom action's handler: a domain or validation error becomes an error notice that says
 * what was wrong; anything else is logged and shown as "Something went wrong (request …)".
 */
export function actionHandler<T extends ActionResponse>(
  handler: (request: ActionRequest, response: unknown, context: ActionContext) => Promise<T>,
): ActionHandler<ActionResponse> {
  return async (request, response, context) => {
    try {
      return await handler(request, response, context);
    } catch (error) {
      // AdminJS insists on the records of a bulk action in every answer, an error's included.
      const shown = {
        record: context.record?.toJSON(context.currentAdmin),
        ...(context.action.isBulkType()
          ? { records: (context.records ?? []).map((r) => r.toJSON(context.currentAdmin)) }
          : {}),
      };
      const notice = (message: string): NoticeMessage => ({ message, type: 'error' });
      if (error instanceof DomainError) return { ...shown, notice: notice(error.message) };
      if (error instanceof ZodError)
        return {
          ...shown,
          notice: notice(error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ')),
        };
      const requestId = currentRequestContext()?.requestId ?? 'unknown';
      logger.error({ err: error, requestId, action: context.action.name }, 'console action failed');
      return {
        ...shown,
        notice: notice(
          `Something went wrong (request ${requestId}). Try again; if it persists, give this id to an admin.`,
        ),
      };
    }
  };
}
