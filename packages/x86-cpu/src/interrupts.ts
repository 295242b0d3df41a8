// The CPU's view of its interrupt pins. The 8259A pair drives INTR and answers the INTA cycle with a
// vector; NMI is a separate edge-triggered pin. The CPU polls `intr()` between instructions when IF=1
// and no interrupt shadow (STI / MOV SS) is in effect.

export interface InterruptController {
  /** INTR is asserted: an unmasked request is pending with higher priority than any in service. */
  intr(): boolean;
  /** The INTA cycle: the controller moves the request to in-service and returns its vector. */
  acknowledge(): number;
}

/** A controller with no requests, for a CPU without a PIC attached. */
export const noInterrupts: InterruptController = {
  intr: () => false,
  acknowledge: () => 0xff,
};
