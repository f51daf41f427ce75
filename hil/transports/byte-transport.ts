// The byte transport interface under the AT session: a serial port, a pseudo-terminal, TCP or in-process.
// Implementations: SerialTransport, TcpTransport, LoopbackTransport. Must not import drivers or the emulator.

export interface ByteTransport {
  /** What it talks to, for messages: "/dev/ttyUSB2", "tcp:127.0.0.1:7777", "loopback". */
  readonly name: string;
  readonly isOpen: boolean;
  /** Opens the link. Rejects with TRANSPORT_OPEN_FAILED (cause attached) when it cannot. */
  open(): Promise<void>;
  /** Sends bytes (latin1 text). Rejects with TRANSPORT_CLOSED when the link is not open. */
  write(data: string): Promise<void>;
  /** Receives bytes as latin1 text, in whatever chunks arrive; returns an unsubscribe function. */
  onData(fn: (chunk: string) => void): () => void;
  /** Called once when the link goes away (closed by us, the peer, or the device disappearing). */
  onClose(fn: (error?: Error) => void): () => void;
  /** Closes the link. Idempotent. */
  close(): Promise<void>;
}
