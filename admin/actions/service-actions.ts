import type { Action, ActionContext, ActionRequest, ActionResponse, RecordActionResponse } from 'adminjs'
import type { Knex } from 'knex'
import { AppError, unauthorized } from '../../core/infra/errors.js'
import type { InputProblem } from '../../core/infra/validate-input.js'
import type { AdminJsModules } from '../adminjs-env.js'
import { principalOf } from '../auth/login.js'
import { consoleAdminOf } from '../auth/console-scope.js'
import type { Fields } from '../services/types.js'
import { clientIpOf } from '../auth/client-ip.js'

/** What resource definitions need at run time: the database, the lazily imported AdminJS, the request IP. */
export interface ActionDeps {
  knex: Knex
  adminjs: AdminJsModules['adminjs']
}

export interface ServiceBinding {
  /** Console form fields (flattened record params) → the service's input. */
  toInput(payload: Fields): Fields
  /** Maps an error's field name (service input) back to the form field it came from. */
  fieldOf?: Record<string, string>
  /** Maps an error code to the form field it concerns, for errors that name no field (e.g. the password policy). */
  fieldOfCode?: Record<string, string>
  create?(call: { db: Knex; actor: ServiceActor; input: Fields }): Promise<{ id: string }>
  update?(call: { db: Knex; actor: ServiceActor; id: string; input: Fields }): Promise<unknown>
  remove?(call: { db: Knex; actor: ServiceActor; id: string }): Promise<unknown>
}

export type ServiceActor = ReturnType<typeof principalOf> & { ip?: string }

/** The acting admin, as services expect it, with the request's IP for the audit log. */
export function actorOf(request: ActionRequest, context: ActionContext): ServiceActor {
  const admin = consoleAdminOf(context)
  // AdminJS runs actions for signed-in admins only; without one nothing may act.
  if (!admin) throw unauthorized()
  return { ...principalOf(admin), ip: clientIpOf(request) }
}

type FieldErrors = Record<string, { message: string }>

function isInputProblem(value: unknown): value is InputProblem {
  return (
    typeof value === 'object' &&
    value !== null &&
    'path' in value &&
    typeof value.path === 'string' &&
    'message' in value &&
    typeof value.message === 'string'
  )
}

/**
 * The form fields an error concerns: each refused input property of a validation error (`details` lists them
 * as `{ path: '/name', message }`), the field an error names (`details.field`), or the one its code implies.
 */
function fieldErrors(err: AppError, binding: Pick<ServiceBinding, 'fieldOf' | 'fieldOfCode'>): FieldErrors {
  const formField = (field: string) => binding.fieldOf?.[field] ?? field
  if (Array.isArray(err.details)) {
    const errors: FieldErrors = {}
    for (const problem of err.details) {
      if (!isInputProblem(problem)) continue
      const field = problem.path.split('/')[1]
      if (field) errors[formField(field)] ??= { message: problem.message }
    }
    return errors
  }
  const named =
    typeof err.details === 'object' && err.details !== null && 'field' in err.details ? err.details.field : undefined
  const field = typeof named === 'string' ? named : undefined
  const byCode = binding.fieldOfCode?.[err.code]
  return field ? { [formField(field)]: { message: err.message } } : byCode ? { [byCode]: { message: err.message } } : {}
}

/**
 * Runs a service call; a platform error the client caused (4xx) becomes an AdminJS ValidationError so the
 * form shows it next to its fields and as a notice. 5xx errors propagate.
 */
export async function callService<T>(
  deps: ActionDeps,
  binding: Pick<ServiceBinding, 'fieldOf' | 'fieldOfCode'>,
  call: () => Promise<T>,
): Promise<T> {
  try {
    return await call()
  } catch (err) {
    if (!(err instanceof AppError) || err.statusCode >= 500) throw err
    throw new deps.adminjs.ValidationError(fieldErrors(err, binding), { message: err.message })
  }
}

async function recordResponse(
  context: ActionContext,
  id: string,
  redirect: 'show' | 'list',
): Promise<RecordActionResponse> {
  const { resource, h, currentAdmin } = context
  const record = await resource.findOne(id, context)
  if (!record) throw new Error(`record ${id} vanished after the change`)
  const resourceId = resource._decorated?.id() ?? resource.id()
  return {
    record: record.toJSON(currentAdmin),
    redirectUrl:
      redirect === 'show'
        ? h.recordActionUrl({ resourceId, recordId: id, actionName: 'show' })
        : h.resourceUrl({ resourceId }),
    notice: { message: 'Saved', type: 'success' },
  }
}

/**
 * Replaces AdminJS's built-in `new`, `edit`, `delete` (which write rows through the adapter) with handlers that
 * call the platform's service functions. Actions without a service are switched off; bulk delete always is.
 */
export function serviceActions(
  deps: ActionDeps,
  binding: ServiceBinding,
): Record<string, Partial<Action<ActionResponse>>> {
  const payloadOf = (request: ActionRequest) => deps.adminjs.flat.unflatten(request.payload ?? {}) as Fields
  return {
    new: binding.create
      ? {
          handler: async (request: ActionRequest, _res: unknown, context: ActionContext): Promise<ActionResponse> => {
            if (request.method !== 'post') return {}
            const create = binding.create!
            const { id } = await callService(deps, binding, () =>
              create({ db: deps.knex, actor: actorOf(request, context), input: binding.toInput(payloadOf(request)) }),
            )
            return recordResponse(context, id, 'show')
          },
        }
      : { isAccessible: false },
    edit: binding.update
      ? {
          handler: async (request: ActionRequest, _res: unknown, context: ActionContext): Promise<ActionResponse> => {
            const id = String(context.record?.id())
            if (request.method !== 'post') return { record: context.record!.toJSON(context.currentAdmin) }
            const update = binding.update!
            await callService(deps, binding, () =>
              update({
                db: deps.knex,
                actor: actorOf(request, context),
                id,
                input: binding.toInput(payloadOf(request)),
              }),
            )
            return recordResponse(context, id, 'show')
          },
        }
      : { isAccessible: false },
    delete: binding.remove
      ? {
          handler: async (request: ActionRequest, _res: unknown, context: ActionContext): Promise<ActionResponse> => {
            const id = String(context.record?.id())
            const remove = binding.remove!
            await callService(deps, binding, () => remove({ db: deps.knex, actor: actorOf(request, context), id }))
            const resourceId = context.resource._decorated?.id() ?? context.resource.id()
            return {
              record: context.record!.toJSON(context.currentAdmin),
              redirectUrl: context.h.resourceUrl({ resourceId }),
              notice: { message: 'Deleted', type: 'success' },
            }
          },
        }
      : { isAccessible: false },
    bulkDelete: { isAccessible: false },
  }
}
