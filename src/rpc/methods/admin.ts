// admin_* methods: the node's own operation, in a namespace served only when an operator enables
// it (--rpc-api …,admin), as geth's admin namespace. admin_setLogLevel changes the log level at
// run time (geth's debug_verbosity, Besu's admin_changeLogLevel); admin_getLogLevel reads it.
import type { Json } from '../format.js';
import { invalidParam, RpcError, RpcErrorCode } from '../errors.js';
import { method, type MethodContext, type MethodSpec } from './context.js';

function logControl(ctx: MethodContext) {
  const control = ctx.backend.logLevel;
  if (control === undefined) throw new RpcError(RpcErrorCode.methodNotFound, 'this node has no run-time log level control');
  return control;
}

export const adminMethods: Record<string, MethodSpec> = {
  admin_setLogLevel: method(1, 1, (p, ctx): Json => {
    const control = logControl(ctx);
    const level = p[0];
    if (typeof level !== 'string' || !control.levels.includes(level)) {
      throw invalidParam(0, `the log level must be one of ${control.levels.join(', ')}, got ${JSON.stringify(level)}`);
    }
    const previous = control.set(level);
    return { level, previous };
  }),
  admin_getLogLevel: method(0, 0, (_p, ctx): Json => logControl(ctx).get()),
};
