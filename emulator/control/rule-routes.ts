import { z } from 'zod';
import { ruleActionSchema, ruleSpecSchema, type RuleSpec, type RuleView } from '../instrument/rules.js';
import type { ControlContext, ControlDevice } from './control-routes.js';
import { selectionSchema, type DeviceSelection } from './control-routes.js';
import { defineRoute, problem, type ControlRoute } from './route.js';

// Rules on the control API (instrument/rules.ts): per device, and for a selection of a fleet's devices at once.

const ruleViewSchema = ruleSpecSchema.extend({
  id: z.string(),
  addedAtMs: z.number(),
  matched: z.number(),
  fired: z.number(),
  spent: z.boolean(),
  action: ruleActionSchema,
});

function add(d: ControlDevice, spec: RuleSpec): RuleView {
  try {
    return d.faults.rules.add(spec);
  } catch (e) {
    if (e instanceof RangeError) throw problem(400, 'Invalid request', `body: ${e.message}`, [{ field: 'body', message: e.message }]);
    throw e;
  }
}

export function ruleRoutes(handle: (params: Record<string, string>) => ControlDevice, ctx: ControlContext): ControlRoute[] {
  const rule = (params: Record<string, string>): { d: ControlDevice; id: string } => {
    const d = handle(params);
    const id = params.ruleId ?? '';
    if (!d.faults.rules.get(id)) throw problem(404, 'Unknown rule', `no rule "${id}" on device "${params.id}"; GET /api/v1/devices/${params.id}/rules lists them`);
    return { d, id };
  };
  return [
    defineRoute({
      method: 'get',
      path: '/devices/{id}/rules',
      summary: 'The rules installed on a device (targeted faults and answer overrides), each with how often it matched and fired',
      tag: 'rules',
      response: z.array(ruleViewSchema),
      handler: ({ params }) => handle(params).faults.rules.list(),
    }),
    defineRoute({
      method: 'post',
      path: '/devices/{id}/rules',
      summary: 'Install a rule: a match (surface; name, parameters and client by equality or pattern) and an action (latency, error, drop, hang, slow-body, garbage, answer, patch), with times, skip, a virtual-time window, a seeded probability and a priority',
      tag: 'rules',
      body: ruleSpecSchema,
      response: ruleViewSchema,
      handler: ({ params, body }) => add(handle(params), body as RuleSpec),
    }),
    defineRoute({
      method: 'get',
      path: '/devices/{id}/rules/{ruleId}',
      summary: 'One rule and its counts',
      tag: 'rules',
      response: ruleViewSchema,
      handler: ({ params }) => {
        const { d, id } = rule(params);
        return d.faults.rules.get(id)!;
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/devices/{id}/rules/{ruleId}',
      summary: 'Remove one rule (409 for one the shorthand faults made: change those with PUT /faults/...)',
      tag: 'rules',
      response: z.object({ ok: z.literal(true) }),
      handler: ({ params }) => {
        const { d, id } = rule(params);
        if (d.faults.isShorthand(id)) throw problem(409, 'Conflict', `rule "${id}" carries out the shorthand faults; change them with PUT /faults/goform or /faults/at, or clear them with DELETE /faults`);
        d.faults.rules.remove(id);
        return { ok: true as const };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/devices/{id}/rules',
      summary: 'Remove every rule of a device, the shorthand faults included (its ids start again at r1)',
      tag: 'rules',
      response: z.object({ ok: z.literal(true), removed: z.number() }),
      handler: ({ params }) => {
        const faults = handle(params).faults;
        const removed = faults.rules.size;
        // The shorthand faults go too: their settings are rules.
        faults.reset();
        return { ok: true as const, removed };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/fleet/rules',
      summary: 'Install the same rule on every selected device; answers the devices and the rule id each got',
      tag: 'fleet',
      body: z.object({ select: selectionSchema, rule: ruleSpecSchema }).strict(),
      response: z.object({ ok: z.literal(true), selected: z.number(), rules: z.array(z.object({ device: z.string(), rule: z.string() })) }),
      handler: ({ body }) => {
        const b = body as { select: DeviceSelection; rule: RuleSpec };
        const out: { device: string; rule: string }[] = [];
        const ids = ctx.devices.select(b.select);
        for (const id of ids) {
          const d = ctx.devices.get(id);
          if (d) out.push({ device: id, rule: add(d, structuredClone(b.rule)).id });
        }
        return { ok: true as const, selected: ids.length, rules: out };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/fleet/rules',
      summary: 'Remove every rule of the selected devices (an empty selection object: all of them)',
      tag: 'fleet',
      body: z.object({ select: selectionSchema }).strict(),
      response: z.object({ ok: z.literal(true), devices: z.array(z.string()) }),
      handler: ({ body }) => {
        const ids = ctx.devices.select((body as { select: DeviceSelection }).select);
        for (const id of ids) ctx.devices.get(id)?.faults.reset();
        return { ok: true as const, devices: ids };
      },
    }),
  ];
}
