/** protobuf Structs (how the engine carries properties) cannot hold `undefined`: drop such keys. */
export function plainData<T>(v: T): T {
  if (Array.isArray(v)) return v.map(plainData) as T;
  if (v && typeof v === "object") {
    return Object.fromEntries(
      Object.entries(v)
        .filter(([, x]) => x !== undefined)
        .map(([k, x]) => [k, plainData(x)]),
    ) as T;
  }
  return v;
}
