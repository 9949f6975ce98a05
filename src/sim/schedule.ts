// An adversary that orders messages within the bounds of partial synchrony: after GST every
// message still arrives within delta, but the adversary picks each delay in [minDelay, delta] to
// hurt the most (decision 0010 is the bound it tests):
// - Byzantine members' messages arrive first (minimum delay);
// - one honest victim hears everything last (delta);
// - a set of honest members just under 1/3 of the weight is heard last (the quorum edge: quorums
//   form with the Byzantine votes in them);
// - an honest coordinator's COORD reaches half of the honest members late (its value split).
import type { Rng } from './random.js';

export interface ScheduleRoles {
  readonly byzantine: ReadonlySet<number>; // endpoint ids
  readonly victim: number | null;
  readonly slow: ReadonlySet<number>;
  /** Endpoints that receive an honest COORD late. */
  readonly lateCoordinator: ReadonlySet<number>;
}

export class AdversarialSchedule {
  constructor(
    private readonly roles: ScheduleRoles,
    private readonly minDelayMs: number,
    private readonly deltaMs: number,
    private readonly rng: Rng,
  ) {}

  /** The delay of one message after GST; `carriesCoord` when an honest member's envelope holds a COORD. */
  delay(from: number, to: number, carriesCoord: boolean): number {
    const { byzantine, victim, slow, lateCoordinator } = this.roles;
    if (byzantine.has(from)) return this.minDelayMs;
    if (to === victim || slow.has(from)) return this.deltaMs;
    if (carriesCoord && lateCoordinator.has(to)) return this.deltaMs;
    return this.rng.int(this.minDelayMs, Math.max(this.minDelayMs, Math.floor(this.deltaMs / 2)));
  }
}
