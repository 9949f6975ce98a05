// Typed transport errors (thrown to callers) and the reasons frames or connections are dropped
// (counted in stats and logged, never thrown: a bad peer must not take the node down).

export type TransportErrorCode =
  /** A limit, peer list, chain id or address is invalid. */
  | 'INVALID_CONFIG'
  /** The listen address could not be bound (port in use, no permission). */
  | 'LISTEN_FAILED'
  /** send/broadcast was given a channel outside 1..255. */
  | 'INVALID_CHANNEL'
  /** send/broadcast was given a payload larger than the frame limit allows. */
  | 'FRAME_TOO_LARGE';

export class TransportError extends Error {
  constructor(
    readonly code: TransportErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TransportError';
  }
}

/** Why an outbound frame was not queued. */
export type FrameDropReason = 'frame_peer_down' | 'frame_queue_full';

/** Why a connection was closed by us (protocol or policy), as counted in stats().dropped. */
export type ConnectionDropReason =
  | 'conn_handshake_timeout'
  | 'conn_malformed_handshake'
  | 'conn_version_mismatch'
  | 'conn_chain_mismatch'
  | 'conn_unknown_peer'
  | 'conn_wrong_peer'
  | 'conn_self_connection'
  | 'conn_bad_signature'
  | 'conn_oversized_frame'
  | 'conn_empty_frame'
  /** The stream ended inside a frame, or a sealed frame ends inside one of its frames. */
  | 'conn_truncated_frame'
  /** A sealed frame failed authentication: altered, injected, replayed, reordered or dropped before it. */
  | 'conn_bad_mac'
  /** A sealed frame too short to hold a frame and its tag. */
  | 'conn_short_frame'
  /** A direction used up its frame numbers (2^53); the peer reconnects with fresh keys. */
  | 'conn_counter_exhausted'
  | 'conn_unexpected_control_frame'
  | 'conn_idle_timeout'
  /** A pending (unauthenticated) connection displaced by a newer one: the total cap was reached. */
  | 'conn_pending_limit'
  /** Likewise, the cap of its address group was reached. */
  | 'conn_per_ip_limit'
  | 'conn_duplicate'
  | 'conn_peer_removed';

export type DropReason = FrameDropReason | ConnectionDropReason;
