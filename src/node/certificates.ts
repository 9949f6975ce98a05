// Finality certificates of the blocks this node executes from its own consensus: it signs a share
// over (chain id, height, block hash, state root), broadcasts it, and gathers the committee's
// shares until more than 2/3 of the weight signed one result; that certificate is stored beside
// the block. One divergence policy: a quorum certifying another block than ours at a height means
// this node executed differently from the honest majority, so it stops (see node.ts).
//
// Work a peer can cause is bounded: a share is accepted only from the member that signed it (the
// peer id is its public key), so each peer costs at most one signature check per height, and
// shares for heights not executed yet wait in a window of CERTIFICATE_SHARE_WINDOW heights, one
// per member and height.
import { CertificateCollector, certificateMessage, type SignatureCheck } from '../chain/certificate.js';
import type { BlockRecord, FinalityCertificate, Hex } from '../chain/types.js';
import { toHex } from '../crypto/bytes.js';
import type { ExecutionEngine } from '../execution/engine.js';
import type { Transport } from '../net/transport.js';
import type { Committee } from '../stake/committee.js';
import type { Logger } from './logger.js';
import type { NodeMetrics } from './metrics.js';
import { CHANNEL, decodeCertificateShare, encodeCertificateShare } from './wire.js';

/** Certificate shares buffered for heights this node has not executed yet. */
export const CERTIFICATE_SHARE_WINDOW = 64;

export interface CertificateServiceOptions {
  readonly chainId: bigint;
  /** The committee of a height (of its epoch), once this node knows it. */
  readonly committeeAt: (height: bigint) => Committee | undefined;
  /** This node's index in a height's committee, or null when it is not a member (it collects, never signs). */
  readonly selfIndexAt: (height: bigint) => number | null;
  /** Signs a certificate message with this node's consensus key. */
  readonly sign: (message: Uint8Array) => Uint8Array;
  /** The index of a peer id in a height's committee, if it is a member there. */
  readonly memberOfPeerAt: (height: bigint, peer: string) => number | undefined;
  readonly engine: Pick<ExecutionEngine, 'head' | 'getBlockByNumber' | 'getCertificate' | 'putCertificate'>;
  readonly link: Pick<Transport, 'broadcast'>;
  readonly logger: Logger;
  readonly metrics: NodeMetrics;
  readonly verifySignature?: SignatureCheck;
  /** A quorum certified a block other than ours: the node must stop (the divergence policy). */
  readonly onDivergence: (detail: string) => void;
}

export class CertificateService {
  private readonly collectors = new Map<bigint, CertificateCollector>();
  /** height -> peer -> share bytes, for heights above our head (their committee may be unknown yet). */
  private readonly early = new Map<bigint, Map<string, Uint8Array>>();

  constructor(private readonly options: CertificateServiceOptions) {}

  /** Our block of `block.number` is executed and stored: sign it, then count what was waiting. */
  onBlockExecuted(block: BlockRecord): void {
    const selfIndex = this.options.selfIndexAt(block.number);
    if (selfIndex !== null) {
      const signature = this.options.sign(certificateMessage(this.options.chainId, block.number, block.hash, block.stateRoot));
      const share = { height: block.number, blockHash: block.hash, stateRoot: block.stateRoot, validatorIndex: selfIndex, signature: `0x${toHex(signature)}` as Hex };
      const bytes = encodeCertificateShare(share);
      this.options.link.broadcast(CHANNEL.certificateShare, bytes);
      this.options.metrics.messagesOut.inc({ channel: 'certificate' });
      this.count(selfIndex, bytes);
    }
    const waiting = this.early.get(block.number);
    this.early.delete(block.number);
    for (const [peer, bytes] of waiting ?? []) {
      const member = this.options.memberOfPeerAt(block.number, peer);
      if (member === undefined || decodeCertificateShare(bytes).validatorIndex !== member) this.options.metrics.dropped.inc({ reason: 'certificate-not-from-signer' });
      else this.count(member, bytes);
    }
  }

  /** A block came by sync, with its certificate: shares that waited for it, or below it, are moot. */
  forgetUpTo(height: bigint): void {
    for (const waiting of this.early.keys()) if (waiting <= height) this.early.delete(waiting);
  }

  /** A share from a peer (throws WireError when it does not decode). */
  onShare(peer: string, bytes: Uint8Array): void {
    const share = decodeCertificateShare(bytes);
    const head = this.options.engine.head().number;
    if (share.height > head) {
      // Checked once the block is ours (its epoch's committee may not be drawn yet): one per peer and height.
      if (share.height > head + BigInt(CERTIFICATE_SHARE_WINDOW)) return;
      let atHeight = this.early.get(share.height);
      if (atHeight === undefined) this.early.set(share.height, (atHeight = new Map()));
      if (!atHeight.has(peer)) atHeight.set(peer, bytes);
      return;
    }
    const member = this.options.memberOfPeerAt(share.height, peer);
    if (member === undefined || share.validatorIndex !== member) {
      // Shares travel from their signer only: anything else is a relay we never asked for.
      this.options.metrics.dropped.inc({ reason: 'certificate-not-from-signer' });
      return;
    }
    this.count(member, bytes);
  }

  private count(validator: number, bytes: Uint8Array): void {
    const { engine, chainId, logger, metrics } = this.options;
    const share = decodeCertificateShare(bytes);
    if (share.validatorIndex !== validator || engine.getCertificate(share.height) !== undefined) return;
    const committee = this.options.committeeAt(share.height);
    if (committee === undefined) return;
    const head = engine.head().number;
    let collector = this.collectors.get(share.height);
    if (collector === undefined) {
      if (share.height + BigInt(CERTIFICATE_SHARE_WINDOW) < head) return; // too old to matter
      collector = new CertificateCollector(chainId, share.height, committee.epoch, committee, this.options.verifySignature);
      this.collectors.set(share.height, collector);
      for (const old of this.collectors.keys()) if (old + BigInt(CERTIFICATE_SHARE_WINDOW) < head) this.collectors.delete(old);
    }
    const outcome = collector.add(share);
    if (outcome === 'conflict') logger.warn({ height: share.height.toString(), validator: share.validatorIndex }, 'validator signed two results for one height');
    if (outcome === 'bad-signature' || outcome === 'not-member' || outcome === 'malformed') metrics.dropped.inc({ reason: `certificate-${outcome}` });
    const certificate = collector.certificate();
    if (outcome === 'complete' && certificate !== undefined) {
      this.store(certificate).catch((error: unknown) => logger.error({ err: error, height: certificate.height.toString() }, 'storing a finality certificate failed'));
    }
  }

  private async store(certificate: FinalityCertificate): Promise<void> {
    const { engine } = this.options;
    this.collectors.delete(certificate.height);
    const block = engine.getBlockByNumber(certificate.height);
    if (block === undefined || block.hash !== certificate.blockHash || block.stateRoot !== certificate.stateRoot) {
      this.options.onDivergence(`a quorum certified block ${certificate.blockHash} (state ${certificate.stateRoot}) at height ${certificate.height}, this node holds ${block?.hash ?? 'nothing'} (state ${block?.stateRoot ?? '-'})`);
      return;
    }
    if (engine.getCertificate(certificate.height) !== undefined) return;
    await engine.putCertificate(certificate);
    this.options.metrics.certifiedHeight.set(Number(certificate.height));
  }
}
