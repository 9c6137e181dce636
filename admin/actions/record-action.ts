import type { Action, ActionContext, ActionRequest, ActionResponse } from 'adminjs'
import type { Knex } from 'knex'
import { actorOf, callService, type ActionDeps, type ServiceActor } from './service-actions.js'

/**
 * A one-click record action (deactivate, run now, revoke) behind a confirmation: it calls one service function
 * and comes back to the record with a notice. No custom component, so nothing to bundle.
 */
export function serviceRecordAction(
  deps: ActionDeps,
  spec: {
    icon: string
    guard: string
    done: string
    /** Hidden when false for a record (e.g. already revoked). */
    available?: (params: Record<string, unknown>) => boolean
    run(call: { db: Knex; actor: ServiceActor; id: string }): Promise<unknown>
  },
): Partial<Action<ActionResponse>> {
  return {
    actionType: 'record',
    icon: spec.icon,
    guard: spec.guard,
    component: false,
    ...(spec.available
      ? { isAccessible: ({ record }: ActionContext) => !record || spec.available!(record.params) }
      : {}),
    handler: async (request: ActionRequest, _res: unknown, context: ActionContext) => {
      const id = String(context.record?.id())
      await callService(deps, {}, () => spec.run({ db: deps.knex, actor: actorOf(request, context), id }))
      const record = await context.resource.findOne(id, context)
      const resourceId = context.resource._decorated?.id() ?? context.resource.id()
      return {
        record: (record ?? context.record!).toJSON(context.currentAdmin),
        redirectUrl: context.h.recordActionUrl({ resourceId, recordId: id, actionName: 'show' }),
        notice: { message: spec.done, type: 'success' },
      }
    },
  }
}
