import type { Action, ActionResponse, RecordActionResponse } from 'adminjs';
import * as z from 'zod';
import { InvalidInput } from '../../../src/errors/domain-error.js';
import { deleteUser } from '../../../src/users/delete-user.js';
import { updateUser, type UpdateUserInput } from '../../../src/users/update-user.js';
import { actionHandler } from '../../action-handler.js';
import { actorOf } from '../../current-admin.js';

/** The edit form as AdminJS sends it: JSON values, or strings from a multipart form. */
const UserForm = z.object({
  email: z.string().optional(),
  name: z
    .string()
    .nullable()
    .optional()
    .transform((name) => (typeof name === 'string' && name.trim() === '' ? null : name)),
  role: z.string().optional(),
  active: z.union([z.boolean(), z.enum(['true', 'false']).transform((value) => value === 'true')]).optional(),
  newPassword: z.string().optional(),
});

/**
 * The users' edit and delete go through the same services as the CLI (src/users/), which keep an
 * active admin under a lock and audit each change or refusal; AdminJS's own handlers would write the
 * row directly.
 */
export const editUser: Partial<Action<ActionResponse>> = {
  handler: actionHandler(async (request, _response, { record, currentAdmin, h }): Promise<RecordActionResponse> => {
    if (!record) throw new InvalidInput('user.not_found', 'This user no longer exists: reload the list.');
    if (request.method === 'get') return { record: record.toJSON(currentAdmin) };
    const { newPassword, ...form } = UserForm.parse(request.payload ?? {});
    try {
      await updateUser(actorOf(currentAdmin), Number(record.id()), {
        ...form,
        // Parsed by the service's own schema, which names the roles.
        role: form.role as UpdateUserInput['role'],
        ...(newPassword ? { password: newPassword } : {}),
      });
    } catch (error) {
      // Field problems are shown beside their fields, as AdminJS does with its own validation.
      const fields =
        error instanceof InvalidInput && error.fields
          ? Object.entries(error.fields)
          : error instanceof z.ZodError
            ? error.issues.map((issue) => [String(issue.path[0] ?? 'input'), issue.message] as const)
            : undefined;
      if (!fields) throw error;
      const errors = Object.fromEntries(
        fields.map(([field, message]) => [field === 'password' ? 'newPassword' : field, { message }]),
      );
      const message =
        error instanceof InvalidInput ? error.message : fields.map(([field, text]) => `${field}: ${text}`).join('; ');
      return { record: { ...record.toJSON(currentAdmin), errors }, notice: { type: 'error', message } };
    }
    const saved = (await record.resource.findOne(String(record.id()))) ?? record;
    return {
      record: saved.toJSON(currentAdmin),
      redirectUrl: h.resourceUrl({ resourceId: 'users' }),
      notice: { type: 'success', message: 'successfullyUpdated' },
    };
  }),
};

export const deleteUserAction: Partial<Action<ActionResponse>> = {
  handler: actionHandler(async (request, _response, { record, currentAdmin, h }): Promise<RecordActionResponse> => {
    if (!record) throw new InvalidInput('user.not_found', 'This user no longer exists: reload the list.');
    if (request.method === 'get') return { record: record.toJSON(currentAdmin) };
    await deleteUser(actorOf(currentAdmin), Number(record.id()));
    return {
      record: record.toJSON(currentAdmin),
      redirectUrl: h.resourceUrl({ resourceId: 'users' }),
      notice: { type: 'success', message: 'successfullyDeleted' },
    };
  }),
};
