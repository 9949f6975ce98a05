// Polling filters and WebSocket subscriptions.
import { RpcError, RpcErrorCode, invalidParam } from '../errors.js';
import { queryLogs, parseLogFilter } from '../logs.js';
import { describe, parseData } from '../params.js';
import type { Json } from '../format.js';
import { method, type MethodSpec } from './context.js';

function filterId(value: unknown) {
  return parseData(value, 0, 'filter id');
}

export const filterMethods: Record<string, MethodSpec> = {
  eth_newFilter: method(1, 1, (p, ctx, session) => ctx.filters.newLogFilter(parseLogFilter(p[0], 0), session.client)),
  eth_newBlockFilter: method(0, 0, (_p, ctx, session) => ctx.filters.newBlockFilter(session.client)),
  eth_newPendingTransactionFilter: method(0, 1, (_p, ctx, session) => ctx.filters.newPendingTransactionFilter(session.client)),
  eth_uninstallFilter: method(1, 1, (p, ctx) => ctx.filters.uninstall(filterId(p[0]))),
  eth_getFilterChanges: method(1, 1, async (p, ctx): Promise<Json> => {
    const changes = await ctx.filters.changes(filterId(p[0]));
    return changes.kind === 'hashes' ? [...changes.hashes] : ctx.logs(changes.logs);
  }),
  eth_getFilterLogs: method(1, 1, async (p, ctx) => {
    const { filter, range } = ctx.filters.logs(filterId(p[0]));
    return range === undefined ? [] : ctx.logs(await queryLogs(ctx.backend, filter, range.from, range.to));
  }),

  eth_subscribe: method(1, 2, (p, _ctx, session) => {
    if (session.subscriptions === undefined) {
      // geth's answer over HTTP; subscriptions need a connection to push to.
      throw new RpcError(RpcErrorCode.methodNotFound, 'notifications not supported: use a WebSocket connection for eth_subscribe');
    }
    if (typeof p[0] !== 'string') throw invalidParam(0, `subscription name must be a string, got ${describe(p[0])}`);
    return session.subscriptions.subscribe(p[0], p.slice(1));
  }),
  eth_unsubscribe: method(1, 1, (p, _ctx, session) => {
    if (session.subscriptions === undefined) {
      throw new RpcError(RpcErrorCode.methodNotFound, 'notifications not supported: use a WebSocket connection for eth_unsubscribe');
    }
    return session.subscriptions.unsubscribe(parseData(p[0], 0, 'subscription id'));
  }),
};
