import { InvalidArgumentError } from "commander";

/**
 * Value parsers for commander. A bad value fails before any API call with commander's
 * "option '--limit <n>' argument 'x' is invalid." plus our reason.
 */

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n <= 0) {
    throw new InvalidArgumentError(`Expected a whole number greater than 0.`);
  }
  return n;
}

export function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n <= 0)
    throw new InvalidArgumentError(`Expected a number greater than 0.`);
  return n;
}

export function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n < 0)
    throw new InvalidArgumentError(`Expected a number (0 or more).`);
  return n;
}

/** For repeatable options: `--env A=1 --env B=2` → ["A=1", "B=2"]. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
