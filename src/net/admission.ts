// Which inbound connections may wait, unauthenticated, for their handshake to finish. Slots are
// capped in total and per address group; when a cap is reached the newcomer is admitted and the
// OLDEST pending connection of the fullest group makes room. Idle sockets are the oldest by
// nature, while a member's handshake finishes within a few round trips of its arrival, so holding
// slots with idle sockets from a few addresses no longer locks members out: the attacker would
// have to open connections faster than a member completes its handshake (a flood, which only a
// firewall stops). Refusing the newcomer instead, as this code once did, let four addresses
// renewing idle sockets every handshake timeout keep every member out for good.
import { isIPv4, isIPv6 } from 'node:net';

export type AdmissionReason = 'conn_per_ip_limit' | 'conn_pending_limit';

export interface Displacement<T> {
  readonly victim: T;
  readonly reason: AdmissionReason;
}

/**
 * The unit the per-address cap counts: an IPv4 address, or an IPv6 /64 (one customer's usual
 * allocation, so an attacker cannot pick a fresh address per socket). IPv4-mapped IPv6
 * addresses count as their IPv4 address.
 */
export function addressGroup(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped !== null) return mapped[1]!;
  if (isIPv4(ip) || !isIPv6(ip)) return ip;
  const [head = '', tail = ''] = ip.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === '' ? [] : tail.split(':');
  const groups = ip.includes('::') ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => Number.parseInt(g, 16).toString(16)).join(':')}::/64`;
}

/** Pending (unauthenticated) inbound connections, oldest first within each address group. */
export class PendingAdmission<T> {
  /** Insertion order of each Set is arrival order, so its first element is the group's oldest. */
  private readonly byGroup = new Map<string, Set<T>>();
  private readonly entries = new Map<T, { readonly group: string; readonly seq: number }>();
  private seq = 0;

  constructor(
    private readonly maxTotal: number,
    private readonly maxPerGroup: number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  has(item: T): boolean {
    return this.entries.has(item);
  }

  /** The pending connection that must go so one more from `group` fits, if any. */
  displacementFor(group: string): Displacement<T> | undefined {
    const own = this.byGroup.get(group);
    if (own !== undefined && own.size >= this.maxPerGroup) return { victim: first(own), reason: 'conn_per_ip_limit' };
    if (this.entries.size < this.maxTotal) return undefined;
    let fullest: Set<T> | undefined;
    for (const members of this.byGroup.values()) {
      if (fullest === undefined || members.size > fullest.size || (members.size === fullest.size && this.ageOf(members) < this.ageOf(fullest))) fullest = members;
    }
    return fullest === undefined ? undefined : { victim: first(fullest), reason: 'conn_pending_limit' };
  }

  add(item: T, group: string): void {
    if (this.entries.has(item)) return;
    let members = this.byGroup.get(group);
    if (members === undefined) this.byGroup.set(group, (members = new Set()));
    members.add(item);
    this.entries.set(item, { group, seq: this.seq++ });
  }

  /** True when `item` was pending. */
  delete(item: T): boolean {
    const entry = this.entries.get(item);
    if (entry === undefined) return false;
    this.entries.delete(item);
    const members = this.byGroup.get(entry.group)!;
    members.delete(item);
    if (members.size === 0) this.byGroup.delete(entry.group);
    return true;
  }

  items(): T[] {
    return [...this.entries.keys()];
  }

  private ageOf(members: Set<T>): number {
    return this.entries.get(first(members))!.seq;
  }
}

function first<T>(members: Set<T>): T {
  return members.values().next().value as T;
}
