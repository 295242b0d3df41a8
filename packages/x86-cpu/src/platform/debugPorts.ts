// The two write-only diagnostic ports every PC test ROM uses: the POST code port 0x80 (a latch that
// shows the last byte written, as on a POST card) and the Bochs/QEMU debug console port 0xE9 (each
// byte written goes to the host unchanged; reading it returns 0xE9 so guests can detect it).

import type { IoBus } from '../io.js';

export class DebugPorts {
  /** Last byte written to the POST port, or -1 before the first write. */
  postCode = -1;

  constructor(
    private readonly onPost: (code: number) => void = () => {},
    private readonly debugOut: (byte: number) => void = () => {},
    readonly postPort = 0x80,
    readonly outPort = 0xe9,
  ) {}

  attach(io: IoBus): void {
    io.register(this.postPort, {
      read8: () => (this.postCode < 0 ? 0xff : this.postCode),
      write8: (_p, v) => {
        this.postCode = v;
        this.onPost(v);
      },
    });
    if (this.outPort !== this.postPort) {
      io.register(this.outPort, { read8: () => 0xe9, write8: (_p, v) => this.debugOut(v) });
    }
  }
}
