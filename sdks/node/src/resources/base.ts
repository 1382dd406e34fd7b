/** What every resource holds: the client's request engine. */
import type { Core } from "../core.js";

export abstract class Resource {
  /** @internal */
  protected readonly core: Core;

  constructor(core: Core) {
    this.core = core;
  }
}
