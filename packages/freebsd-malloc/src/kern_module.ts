// sys/kern/kern_module.c: modules (DECLARE_MODULE) inside linker files. A module's event handler
// sees MOD_LOAD from the SYSINIT that DECLARE_MODULE registers, and MOD_QUIESCE/MOD_UNLOAD when its
// file is unloaded; an error from MOD_QUIESCE or MOD_UNLOAD vetoes the unload.

/* errno values (sys/sys/errno.h) */
export const ENOENT = 2;
export const EBUSY = 16;
export const EEXIST = 17;
export const EINVAL = 22;
export const EOPNOTSUPP = 45;

/* enum modeventtype */
export const MOD_LOAD = 0;
export const MOD_UNLOAD = 1;
export const MOD_SHUTDOWN = 2;
export const MOD_QUIESCE = 3;

/** modeventhand_t: returns 0 or an errno. */
export type modeventhand_t = (mod: module, what: number, arg: number) => number;

/** moduledata_t: what DECLARE_MODULE(name, data, sub, order) names. */
export interface moduledata_t {
  name: string;
  evhand?: modeventhand_t | null;
  priv?: number;
}

/** struct module */
export interface module {
  readonly id: number;
  readonly name: string;
  /** The linker file that holds it. */
  readonly filename: string;
  readonly handler: modeventhand_t;
  readonly arg: number;
  /** MS_ATTACHED until MOD_LOAD succeeded; MS_DETACHED after unload. */
  state: 'attached' | 'loaded' | 'detached';
}

/** modevent_nop(): the handler of a module declared without one. */
export const modevent_nop: modeventhand_t = (_mod, what) =>
  what === MOD_LOAD || what === MOD_UNLOAD || what === MOD_QUIESCE || what === MOD_SHUTDOWN ? 0 : EOPNOTSUPP;

/** The global module list (modules TAILQ) and the kern_module.c operations on it. */
export class ModuleList {
  readonly modules: module[] = [];
  private nextid = 1;

  constructor(private readonly printf: (message: string) => void) {}

  /** module_register(): fails with EEXIST when a module of that name is already loaded. */
  module_register(data: moduledata_t, filename: string): module | number {
    const old = this.module_lookupbyname(data.name);
    if (old !== null) {
      this.printf(
        `module_register: cannot register ${data.name} from ${filename}; already loaded from ${old.filename}\n`,
      );
      return EEXIST;
    }
    const mod: module = {
      id: this.nextid++,
      name: data.name,
      filename,
      handler: data.evhand ?? modevent_nop,
      arg: data.priv ?? 0,
      state: 'attached',
    };
    this.modules.push(mod);
    return mod;
  }

  /**
   * module_register_init(): the SYSINIT of DECLARE_MODULE. Runs MOD_LOAD; on error the module gets
   * MOD_UNLOAD, is released, and the error is printed. Returns the error.
   */
  module_register_init(mod: module): number {
    const error = mod.handler(mod, MOD_LOAD, mod.arg);
    if (error !== 0) {
      mod.handler(mod, MOD_UNLOAD, mod.arg);
      this.module_release(mod);
      this.printf(
        `module_register_init: MOD_LOAD (${mod.name}, ${mod.handler.name || 'evhand'}, ${mod.arg}) error ${error}\n`,
      );
      return error;
    }
    mod.state = 'loaded';
    return 0;
  }

  /** module_unload(): MOD_QUIESCE, then MOD_UNLOAD; either may veto with an errno. */
  module_unload(mod: module): number {
    if (mod.state !== 'loaded') return 0;
    const q = mod.handler(mod, MOD_QUIESCE, mod.arg);
    if (q !== 0 && q !== EOPNOTSUPP) return q;
    const error = mod.handler(mod, MOD_UNLOAD, mod.arg);
    if (error === 0) mod.state = 'detached';
    return error;
  }

  /** module_release(): take it off the list. */
  module_release(mod: module): void {
    const i = this.modules.indexOf(mod);
    if (i >= 0) this.modules.splice(i, 1);
    mod.state = 'detached';
  }

  module_lookupbyname(name: string): module | null {
    return this.modules.find((m) => m.name === name) ?? null;
  }
}
