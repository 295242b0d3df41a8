// sys/sys/kernel.h: the SYSINIT/SYSUNINIT records and the subsystem and order numbers that sort
// them. Startup runs in ascending (subsystem, order); module unload runs SYSUNINITs descending.

/* enum sysinit_sub_id (values as in sys/sys/kernel.h) */
export const SI_SUB_DUMMY = 0x0000000; /* not executed; for linker */
export const SI_SUB_DONE = 0x0000001; /* processed */
export const SI_SUB_TUNABLES = 0x0700000; /* establish tunable values */
export const SI_SUB_COPYRIGHT = 0x0800001; /* first use of console */
export const SI_SUB_VM = 0x1000000; /* virtual memory system init */
export const SI_SUB_COUNTER = 0x1100000; /* counter(9) is initialized */
export const SI_SUB_KMEM = 0x1800000; /* kernel memory */
export const SI_SUB_HYPERVISOR = 0x1a40000; /* hypervisor detection */
export const SI_SUB_WITNESS = 0x1a80000; /* witness initialization */
export const SI_SUB_LOCK = 0x1b00000; /* various locks */
export const SI_SUB_EVENTHANDLER = 0x1c00000; /* eventhandler init */
export const SI_SUB_KLD = 0x2000000; /* KLD and module setup */
export const SI_SUB_CPU = 0x2100000; /* CPU resource(s) */
export const SI_SUB_INTRINSIC = 0x2200000; /* proc 0 */
export const SI_SUB_VM_CONF = 0x2300000; /* config VM, set limits */
export const SI_SUB_RUN_QUEUE = 0x2400000; /* set up run queue */
export const SI_SUB_CREATE_INIT = 0x2500000; /* create init process */
export const SI_SUB_MBUF = 0x2700000; /* mbuf subsystem */
export const SI_SUB_INTR = 0x2800000; /* interrupt threads */
export const SI_SUB_DEVFS = 0x2f00000; /* devfs ready for devices */
export const SI_SUB_INIT_IF = 0x3000000; /* prep for net interfaces */
export const SI_SUB_DRIVERS = 0x3100000; /* Let Drivers initialize */
export const SI_SUB_CONFIGURE = 0x3800000; /* Configure devices */
export const SI_SUB_VFS = 0x4000000; /* virtual filesystem */
export const SI_SUB_CLOCKS = 0x4800000; /* real time and stat clocks */
export const SI_SUB_SYSV_SHM = 0x6400000; /* System V shared memory */
export const SI_SUB_PSEUDO = 0x7000000; /* pseudo devices */
export const SI_SUB_EXEC = 0x7400000; /* execve() handlers */
export const SI_SUB_PROTO_BEGIN = 0x8000000; /* VNET initialization */
export const SI_SUB_PROTO_END = 0x8ffffff; /* VNET helper functions */
export const SI_SUB_KPROF = 0x9000000; /* kernel profiling */
export const SI_SUB_ROOT_CONF = 0xb000000; /* Find root devices */
export const SI_SUB_SWAP = 0xc000000; /* swap */
export const SI_SUB_SYSCALLS = 0xd800000; /* register system calls */
export const SI_SUB_KTHREAD_INIT = 0xe000000; /* init process */
export const SI_SUB_KTHREAD_PAGE = 0xe400000; /* pageout daemon */
export const SI_SUB_SMP = 0xf000000; /* start the APs */
export const SI_SUB_RUN_SCHEDULER = 0xfffffff; /* scheduler */
export const SI_SUB_LAST = 0xfffffff; /* final initialization */

/* enum sysinit_elem_order ("ANY" sorts last) */
export const SI_ORDER_FIRST = 0x0000000; /* first */
export const SI_ORDER_SECOND = 0x0000001; /* second */
export const SI_ORDER_THIRD = 0x0000002; /* third */
export const SI_ORDER_FOURTH = 0x0000003; /* fourth */
export const SI_ORDER_FIFTH = 0x0000004; /* fifth */
export const SI_ORDER_SIXTH = 0x0000005; /* sixth */
export const SI_ORDER_SEVENTH = 0x0000006; /* seventh */
export const SI_ORDER_EIGHTH = 0x0000007; /* eighth */
export const SI_ORDER_MIDDLE = 0x1000000; /* somewhere in the middle */
export const SI_ORDER_ANY = 0xfffffff; /* last */

/** A system initialization call instance (struct sysinit). */
export interface sysinit {
  /** The uniquifier of SYSINIT(uniquifier, ...), e.g. "M_LUKE_init". */
  readonly name: string;
  /** subsystem identifier; set to SI_SUB_DONE once run. */
  subsystem: number;
  /** init order within subsystem */
  readonly order: number;
  /** function */
  readonly func: (udata: number) => void;
  /** multiplexer/argument (a pointer; 0 for NULL) */
  readonly udata: number;
}

/** SYSINIT(uniquifier, subsystem, order, func, ident): the record the linker set would hold. */
export function SYSINIT(
  uniquifier: string,
  subsystem: number,
  order: number,
  func: (udata: number) => void,
  ident = 0,
): sysinit {
  return { name: `${uniquifier}_sys_init`, subsystem, order, func, udata: ident };
}

/** SYSUNINIT(uniquifier, subsystem, order, func, ident): called on module unload. */
export function SYSUNINIT(
  uniquifier: string,
  subsystem: number,
  order: number,
  func: (udata: number) => void,
  ident = 0,
): sysinit {
  return { name: `${uniquifier}_sys_uninit`, subsystem, order, func, udata: ident };
}
