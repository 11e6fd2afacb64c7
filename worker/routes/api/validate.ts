import { vValidator } from '@hono/valibot-validator';
import * as v from 'valibot';
import { AppError } from '../../errors.ts';

/** GHL ids (contacts, notes, tasks, users, locations) are short alphanumerics. */
export const GhlId = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a HighLevel id'));

type Issues = readonly v.BaseIssue<unknown>[];

function describe(issues: Issues): string {
  return issues
    .slice(0, 5)
    .map((issue) => `${v.getDotPath(issue) ?? 'body'}: ${issue.message}`)
    .join('; ');
}

/** Validates the JSON body; a wrong shape or type is 422 `invalid_input` (malformed JSON is 400 earlier). */
export const jsonBody = <T extends v.GenericSchema>(schema: T) =>
  vValidator('json', schema, (result) => {
    if (!result.success)
      throw new AppError(422, 'invalid_input', `The request body is not valid: ${describe(result.issues)}`);
  });

/** Validates the query string; a bad value is 400 `invalid_query`. */
export const queryOf = <T extends v.GenericSchema>(schema: T) =>
  vValidator('query', schema, (result) => {
    if (!result.success)
      throw new AppError(400, 'invalid_query', `The query is not valid: ${describe(result.issues)}`);
  });

/** Validates path ids; a malformed one is 400 `invalid_id`. */
export const paramsOf = <T extends v.GenericSchema>(schema: T) =>
  vValidator('param', schema, (result) => {
    if (!result.success)
      throw new AppError(400, 'invalid_id', `The path is not valid: ${describe(result.issues)}`);
  });

/** Path ids of the contact, note and task routes. */
export const ContactParams = v.object({ contactId: GhlId });
export const NoteParams = v.object({ contactId: GhlId, noteId: GhlId });
export const TaskParams = v.object({ contactId: GhlId, taskId: GhlId });

/** A body must say something: `{}` is refused instead of being a silent no-op. */
export const notEmpty = <T extends Record<string, unknown>>(value: T) =>
  Object.values(value).some((x) => x !== undefined);
