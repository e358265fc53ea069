import type { ConfigReader } from "../resources/runtime";
import { isUnknown } from "../resources/validation";
import type { Props } from "./wire";

/**
 * The provider's configuration from a ConfigureRequest, as the reader runtime.ts's
 * `configure` keeps: `clore:apiKey` / `clore:baseUrl` are the provider's `apiKey` / `baseUrl`
 * inputs (stack config for the default provider, or an explicit provider's properties).
 * Older engines send only `variables` ("clore:config:apiKey"). An unset value falls through
 * to CLORE_API_KEY / CLORE_BASE_URL / ~/.clore/config.json, as everywhere else.
 */
export function providerConfig(args: Props, variables: { get(key: string): string | undefined }): ConfigReader {
  return {
    get(key) {
      const name = key.replace(/^clore:/, "");
      const value = args[name];
      if (typeof value === "string" && value && !isUnknown(value)) return value;
      return variables.get(`clore:config:${name}`) || undefined;
    },
  };
}
