import type { CheckFailure } from "./validation";

/**
 * The provider contract between the engine and a resource's controller, for both faces (the
 * dynamic providers' shim and the plugin's gRPC server). The engine speaks in property bags;
 * each resource's door (`<resource>/door.ts`) decodes a bag into its typed inputs and state
 * once, on the way in, and encodes its outputs once, on the way out, so a controller works on
 * its zod-declared types only.
 */

/** A resource's properties as the engine sends and takes them (plain data, secrets unwrapped). */
export type PropertyBag = Record<string, unknown>;

/** check: the inputs parsed (defaults applied) for create and update, or what is wrong. */
export interface CheckResult {
  inputs?: PropertyBag;
  failures?: CheckFailure[];
}

/** diff: `changes` undefined means unknown (the engine then diffs itself). */
export interface DiffResult {
  changes?: boolean;
  replaces?: string[];
  deleteBeforeReplace?: boolean;
}

export interface CreateResult {
  id: string;
  outs: PropertyBag;
}

/** read: no id means the resource is gone. */
export interface ReadResult {
  id?: string;
  props?: PropertyBag;
}

export interface UpdateResult {
  outs: PropertyBag;
}

/** What the plugin knows of an operation beyond its inputs (dynamic providers are told neither). */
export interface OperationOptions {
  /** The operation's customTimeouts, in seconds: bounds the ready wait in place of readyTimeout. */
  timeoutS?: number;
}

/** One resource kind's controller, as both faces call it. */
export interface ResourceController {
  check(olds: PropertyBag, news: PropertyBag): Promise<CheckResult>;
  diff(id: string, olds: PropertyBag, news: PropertyBag): Promise<DiffResult>;
  create(inputs: PropertyBag, urn?: string, options?: OperationOptions): Promise<CreateResult>;
  read(id: string, props?: PropertyBag): Promise<ReadResult>;
  update(id: string, olds: PropertyBag, news: PropertyBag, options?: OperationOptions): Promise<UpdateResult>;
  remove(id: string, props: PropertyBag): Promise<void>;
}
