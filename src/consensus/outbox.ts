// Collects one step's actions and turns its outgoing items into signed envelopes: one signature
// per (height, destination) per step instead of one per vote (decision 0003). Journal entries go
// first, so the host persists every vote before any message carrying it leaves.
import { encodeSignedMessage, itemEncodedBytes, type ConsensusMessage } from './messages.js';
import { MAX_ITEMS_PER_MESSAGE } from './limits.js';
import type { CoreAction, CoreLimits, Height, JournalEntry, MessageSigner, ValidatorIndex } from './types.js';

/** Header and signature bytes of an envelope (version, height, sender, count; ed25519 signature). */
const ENVELOPE_FIXED_BYTES = 13 + 64;

export class Outbox {
  private readonly persists: CoreAction[] = [];
  private readonly broadcasts = new Map<Height, ConsensusMessage[]>();
  private readonly sends = new Map<string, { to: ValidatorIndex; height: Height; items: ConsensusMessage[] }>();
  private readonly others: CoreAction[] = [];

  constructor(
    private readonly signer: MessageSigner,
    private readonly binding: Uint8Array,
    private readonly limits: CoreLimits,
    private readonly selfAt: (height: Height) => ValidatorIndex | null,
  ) {}

  persist(entry: JournalEntry): void {
    this.persists.push({ kind: 'persist', entry });
  }

  broadcast(height: Height, item: ConsensusMessage): void {
    const list = this.broadcasts.get(height) ?? [];
    list.push(item);
    this.broadcasts.set(height, list);
  }

  send(to: ValidatorIndex, height: Height, item: ConsensusMessage): void {
    const key = `${to}/${height}`;
    const entry = this.sends.get(key) ?? { to, height, items: [] };
    entry.items.push(item);
    this.sends.set(key, entry);
  }

  action(action: CoreAction): void {
    this.others.push(action);
  }

  /** Persist entries, then signed broadcasts, then signed sends, then everything else in order. */
  flush(): CoreAction[] {
    const actions: CoreAction[] = [...this.persists];
    actions.push(...this.messages());
    actions.push(...this.others);
    this.persists.length = 0;
    this.others.length = 0;
    return actions;
  }

  /** Persist entries and every other action, keeping messages for a later `messages()` (coalescing). */
  flushAllButMessages(): CoreAction[] {
    const actions: CoreAction[] = [...this.persists, ...this.others];
    this.persists.length = 0;
    this.others.length = 0;
    return actions;
  }

  /** True when items wait to be signed and sent. */
  get hasMessages(): boolean {
    return this.broadcasts.size > 0 || this.sends.size > 0;
  }

  /** Signs what is waiting into one envelope per height and destination (split only by size). */
  messages(): CoreAction[] {
    const actions: CoreAction[] = [];
    for (const [height, items] of this.broadcasts) {
      for (const bytes of this.sign(height, items)) actions.push({ kind: 'broadcast', bytes });
    }
    for (const { to, height, items } of this.sends.values()) {
      for (const bytes of this.sign(height, items)) actions.push({ kind: 'send', to, bytes });
    }
    this.broadcasts.clear();
    this.sends.clear();
    return actions;
  }

  /** Splits items into envelopes under maxMessageBytes and signs each. */
  private sign(height: Height, items: readonly ConsensusMessage[]): Uint8Array[] {
    const sender = this.selfAt(height);
    if (sender === null) return []; // observers and members of another epoch sign nothing
    const out: Uint8Array[] = [];
    let chunk: ConsensusMessage[] = [];
    let size = ENVELOPE_FIXED_BYTES;
    for (const item of items) {
      const itemSize = itemEncodedBytes(item);
      if (chunk.length > 0 && (size + itemSize > this.limits.maxMessageBytes || chunk.length >= MAX_ITEMS_PER_MESSAGE)) {
        out.push(encodeSignedMessage({ height, sender, items: chunk }, this.signer, this.binding));
        chunk = [];
        size = ENVELOPE_FIXED_BYTES;
      }
      chunk.push(item);
      size += itemSize;
    }
    if (chunk.length > 0) out.push(encodeSignedMessage({ height, sender, items: chunk }, this.signer, this.binding));
    return out;
  }
}
