import type { DataModel, DmFault } from '../datamodel/data-model.js';
import type { DmContext } from '../datamodel/param-def.js';
import { decode, escape, faultBody, items, parameterValueList, text_, typeOf } from './soap.js';

// The CPE's RPC table (device-management.md §1.6): one entry per ACS method, as data. Each answers its response body
// or a Fault; what must wait for the end of the session (Reboot, FactoryReset, Download, ScheduleInform) is returned
// as an action the CPE runs then.

export type AfterSession =
  | { kind: 'reboot'; commandKey: string }
  | { kind: 'factory-reset' }
  | { kind: 'download'; commandKey: string; url: string; username: string; password: string; fileSize: number; targetFileName: string; delayS: number }
  | { kind: 'schedule-inform'; commandKey: string; delayS: number }
  | { kind: 'bootstrap' };

export interface RpcContext {
  dm: DataModel;
  c: DmContext;
  /** Notification attributes set by the ACS (name -> 0/1/2); absent = the parameter's default. */
  attributes: Map<string, number>;
  /** Names whose current values the ACS itself set (not reported back as VALUE CHANGE, §1.7). */
  acsChanged: Set<string>;
}

export interface RpcAnswer {
  body: string;
  /** Parameter names the journal shows with the RPC (secret values masked by the CPE). */
  names?: string[];
  after?: AfterSession;
}

type Rpc = (ctx: RpcContext, args: Record<string, unknown>) => RpcAnswer;

export const RPC_METHODS = ['GetRPCMethods', 'GetParameterNames', 'GetParameterValues', 'SetParameterValues', 'GetParameterAttributes', 'SetParameterAttributes', 'AddObject', 'DeleteObject', 'Reboot', 'FactoryReset', 'Download', 'ScheduleInform'] as const;

/** Default notification of a parameter (TR-181 activeNotify): forced ones are active (§1.7). */
export function defaultNotification(notify: string | undefined): number {
  return notify === 'forceEnabled' || notify === 'forceDefaultEnabled' ? 2 : 0;
}

const fault = (f: DmFault): RpcAnswer => ({ body: faultBody(f.fault, f.message, f.params ?? []) });
const isFault = (v: unknown): v is DmFault => typeof v === 'object' && v !== null && 'fault' in v;

export const RPCS: Record<string, Rpc> = {
  GetRPCMethods: () => ({ body: `<cwmp:GetRPCMethodsResponse><MethodList soap-enc:arrayType="xsd:string[${RPC_METHODS.length}]">${RPC_METHODS.map((m) => `<string>${m}</string>`).join('')}</MethodList></cwmp:GetRPCMethodsResponse>` }),

  GetParameterNames(ctx, a) {
    const path = decode(text_(a.ParameterPath));
    const next = /^(true|1)$/i.test(text_(a.NextLevel));
    const r = ctx.dm.getNames(ctx.c, path, next);
    if (isFault(r)) return fault(r);
    return {
      names: [path || '(root)'],
      body: `<cwmp:GetParameterNamesResponse><ParameterList soap-enc:arrayType="cwmp:ParameterInfoStruct[${r.length}]">${r.map((n) => `<ParameterInfoStruct><Name>${escape(n.name)}</Name><Writable>${n.writable ? 'true' : 'false'}</Writable></ParameterInfoStruct>`).join('')}</ParameterList></cwmp:GetParameterNamesResponse>`,
    };
  },

  GetParameterValues(ctx, a) {
    const names = items(a.ParameterNames, 'string').map((n) => decode(text_(n)));
    const r = ctx.dm.getValues(ctx.c, names);
    if (isFault(r)) return fault(r);
    return { names, body: `<cwmp:GetParameterValuesResponse>${parameterValueList('ParameterList', r)}</cwmp:GetParameterValuesResponse>` };
  },

  SetParameterValues(ctx, a) {
    const list = items(a.ParameterList, 'ParameterValueStruct').map((s) => {
      const v = (s as Record<string, unknown>).Value;
      return { name: decode(text_((s as Record<string, unknown>).Name)), value: decode(text_(v)), type: typeOf(v) };
    });
    const key = decode(text_(a.ParameterKey));
    if (key.length > 32) return fault({ fault: 9003, message: 'ParameterKey is longer than 32 characters' });
    const urlBefore = ctx.c.state.management.url;
    const r = ctx.dm.setValues(ctx.c, list);
    if (r) return fault(r);
    // §1.6: ParameterKey takes the argument only on success.
    ctx.c.device.management.configure({ parameterKey: key });
    for (const p of list) ctx.acsChanged.add(p.name);
    const urlChanged = ctx.c.state.management.url !== urlBefore;
    return { names: list.map((p) => p.name), body: '<cwmp:SetParameterValuesResponse><Status>0</Status></cwmp:SetParameterValuesResponse>', ...(urlChanged ? { after: { kind: 'bootstrap' as const } } : {}) };
  },

  GetParameterAttributes(ctx, a) {
    const names = items(a.ParameterNames, 'string').map((n) => decode(text_(n)));
    const all = ctx.dm.names(ctx.c);
    const out: { name: string; notification: number }[] = [];
    for (const n of names) {
      const hits = n === '' || n.endsWith('.') ? all.filter((p) => p.name.startsWith(n)) : all.filter((p) => p.name === n);
      if (hits.length === 0 && !(n.endsWith('.') && ctx.dm.objectExists(ctx.c, n))) return fault({ fault: 9005, message: `Invalid parameter name: ${n}` });
      for (const p of hits) out.push({ name: p.name, notification: ctx.attributes.get(p.name) ?? defaultNotification(p.def.notify) });
    }
    return {
      names,
      body: `<cwmp:GetParameterAttributesResponse><ParameterList soap-enc:arrayType="cwmp:ParameterAttributeStruct[${out.length}]">${out.map((p) => `<ParameterAttributeStruct><Name>${escape(p.name)}</Name><Notification>${p.notification}</Notification><AccessList soap-enc:arrayType="xsd:string[0]"></AccessList></ParameterAttributeStruct>`).join('')}</ParameterList></cwmp:GetParameterAttributesResponse>`,
    };
  },

  SetParameterAttributes(ctx, a) {
    const structs = items(a.ParameterList, 'SetParameterAttributesStruct') as Record<string, unknown>[];
    const all = ctx.dm.names(ctx.c);
    const plan: { name: string; notification: number }[] = [];
    for (const s of structs) {
      const name = decode(text_(s.Name));
      if (!/^(true|1)$/i.test(text_(s.NotificationChange))) continue;
      const notification = Number(text_(s.Notification));
      // Lightweight notification (3-6) is CWMP 1.4 over UDP, which this CPE does not offer.
      if (!Number.isInteger(notification) || notification < 0 || notification > 2) return fault({ fault: 9003, message: `Notification ${text_(s.Notification)} is not 0, 1 or 2` });
      const hits = name === '' || name.endsWith('.') ? all.filter((p) => p.name.startsWith(name)) : all.filter((p) => p.name === name);
      if (hits.length === 0) return fault({ fault: 9005, message: `Invalid parameter name: ${name}` });
      for (const p of hits) {
        // §1.7: canDeny parameters may refuse active notification; forceEnabled ones are always active.
        if (notification === 2 && p.def.notify === 'canDeny' && !name.endsWith('.')) return fault({ fault: 9009, message: `Notification request rejected: ${p.name} changes too often for active notification` });
        if (p.def.notify === 'forceEnabled' && notification !== 2 && !name.endsWith('.')) return fault({ fault: 9009, message: `Notification request rejected: ${p.name} is always active` });
        if (notification === 2 && p.def.notify === 'canDeny') continue;
        if (p.def.notify === 'forceEnabled') continue;
        plan.push({ name: p.name, notification });
      }
    }
    for (const p of plan) {
      if (p.notification === 0) ctx.attributes.delete(p.name);
      else ctx.attributes.set(p.name, p.notification);
    }
    return { names: plan.map((p) => p.name), body: '<cwmp:SetParameterAttributesResponse/>' };
  },

  AddObject(ctx, a) {
    const name = decode(text_(a.ObjectName));
    const r = ctx.dm.addObject(ctx.c, name);
    if (isFault(r)) return fault(r);
    ctx.c.device.management.configure({ parameterKey: decode(text_(a.ParameterKey)).slice(0, 32) });
    return { names: [name], body: `<cwmp:AddObjectResponse><InstanceNumber>${r.instance}</InstanceNumber><Status>0</Status></cwmp:AddObjectResponse>` };
  },

  DeleteObject(ctx, a) {
    const name = decode(text_(a.ObjectName));
    const r = ctx.dm.deleteObject(ctx.c, name);
    if (r) return fault(r);
    ctx.c.device.management.configure({ parameterKey: decode(text_(a.ParameterKey)).slice(0, 32) });
    return { names: [name], body: '<cwmp:DeleteObjectResponse><Status>0</Status></cwmp:DeleteObjectResponse>' };
  },

  Reboot: (_ctx, a) => ({ body: '<cwmp:RebootResponse/>', after: { kind: 'reboot', commandKey: decode(text_(a.CommandKey)).slice(0, 32) } }),

  FactoryReset: () => ({ body: '<cwmp:FactoryResetResponse/>', after: { kind: 'factory-reset' } }),

  Download(_ctx, a) {
    const fileType = decode(text_(a.FileType));
    const url = decode(text_(a.URL));
    if (fileType !== '1 Firmware Upgrade Image') return fault({ fault: 9003, message: `FileType "${fileType}" is not supported; this CPE takes "1 Firmware Upgrade Image"` });
    if (!/^https?:\/\//i.test(url) || url.length > 256) return fault({ fault: 9013, message: `Unsupported protocol for file transfer: ${url.slice(0, 40)}` });
    const delayS = Number(text_(a.DelaySeconds) || '0');
    const fileSize = Number(text_(a.FileSize) || '0');
    if (!Number.isInteger(delayS) || delayS < 0 || !Number.isInteger(fileSize) || fileSize < 0) return fault({ fault: 9003, message: 'DelaySeconds and FileSize must be non-negative integers' });
    const commandKey = decode(text_(a.CommandKey)).slice(0, 32);
    return {
      names: [url],
      // Status 1: the transfer runs after the session; StartTime/CompleteTime are then the unknown time (§1.6).
      body: '<cwmp:DownloadResponse><Status>1</Status><StartTime>0001-01-01T00:00:00Z</StartTime><CompleteTime>0001-01-01T00:00:00Z</CompleteTime></cwmp:DownloadResponse>',
      after: { kind: 'download', commandKey, url, username: decode(text_(a.Username)), password: decode(text_(a.Password)), fileSize, targetFileName: decode(text_(a.TargetFileName)), delayS },
    };
  },

  ScheduleInform(_ctx, a) {
    const delayS = Number(text_(a.DelaySeconds));
    if (!Number.isInteger(delayS) || delayS <= 0) return fault({ fault: 9003, message: 'DelaySeconds must be a positive integer' });
    return { body: '<cwmp:ScheduleInformResponse/>', after: { kind: 'schedule-inform', commandKey: decode(text_(a.CommandKey)).slice(0, 32), delayS } };
  },
};
