import assert from "node:assert/strict";
import { configure } from "../../provider/resources/dynamic";
import { create } from "../../provider/resources/server-settings/controller";
import { useEmulator } from "../helpers/emulator";

describe("CloreServerSettings for a server the key does not host", () => {
  const emu = useEmulator({ timeScale: 0.01, rateLimit: false });
  before(() => {
    configure({ get: (k: string) => ({ "clore:apiKey": emu.apiKey, "clore:baseUrl": emu.url })[k] });
  });
  after(() => configure(undefined));

  it("names the servers the key hosts and what to change, instead of a bare code 6", async () => {
    await assert.rejects(create({ name: "rig-zeta", onDelete: "restore" }), (e: Error) => {
      assert.equal(
        e.message,
        'this API key does not host a server named "rig-zeta". It hosts: rig-alpha, rig-beta. Set `name` to one of them (`clore servers` lists them), or use the key of the account that hosts it.',
      );
      return true;
    });
    assert.equal(emu.requests.filter((r) => r.endpoint === "set_server_settings").length, 0);
  });
});
