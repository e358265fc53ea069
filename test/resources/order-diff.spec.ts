import assert from "node:assert/strict";
import { diffOrder } from "../../provider/resources/order/diff";
import type { OrderOutputs } from "../../provider/resources/order/schema";
import { UNKNOWN } from "../../provider/resources/validation";

const inputs = {
  serverId: 41873,
  image: "cloreai/ubuntu22.04-cuda12",
  currency: "USD-Blockchain" as const,
  type: "on-demand" as const,
  ports: { "22": "tcp" as const },
  waitForReady: true,
  readyTimeout: 600,
};
const old: Partial<OrderOutputs> = {
  ...inputs,
  orderId: 612345,
  status: "running",
  pubCluster: ["h"],
  tcpPorts: { "22": 10922 },
};

describe("CloreOrder diff", () => {
  it("reports no change when nothing the user wrote changed", () => {
    assert.deepEqual(diffOrder(old, inputs), { changes: false, replaces: [], updates: [], deleteBeforeReplace: false });
  });

  it("replaces the order when the image changes, cancelling the old one first on the same server", () => {
    const d = diffOrder(old, { ...inputs, image: "pytorch/pytorch:latest" });
    assert.deepEqual(d.replaces, ["image"]);
    assert.equal(d.deleteBeforeReplace, true);
  });

  it("replaces on ports, env, command, credentials, currency and type", () => {
    for (const [k, v] of Object.entries({
      ports: { "22": "tcp", "8888": "http" },
      env: { A: "1" },
      command: "nvidia-smi",
      sshPassword: "new",
      jupyterToken: "t",
      sshKey: "ssh-ed25519 AAAA",
      currency: "bitcoin",
      type: "spot",
    })) {
      assert.deepEqual(diffOrder(old, { ...inputs, [k]: v } as never).replaces, [k], k);
    }
  });

  it("creates the new order before cancelling the old one when the server changes", () => {
    const d = diffOrder(old, { ...inputs, serverId: 50211 });
    assert.deepEqual(d.replaces, ["serverId"]);
    assert.equal(d.deleteBeforeReplace, false);
  });

  it("updates a spot bid in place", () => {
    const spot = { ...old, type: "spot" as const, spotPrice: 2 };
    const d = diffOrder(spot, { ...inputs, type: "spot", spotPrice: 2.5 });
    assert.deepEqual(d, { changes: true, replaces: [], updates: ["spotPrice"], deleteBeforeReplace: false });
  });

  it("updates waitForReady and readyTimeout in place", () => {
    assert.deepEqual(diffOrder(old, { ...inputs, readyTimeout: 900 }).updates, ["readyTimeout"]);
    assert.deepEqual(diffOrder(old, { ...inputs, waitForReady: false }).updates, ["waitForReady"]);
  });

  it("does not diff state written before inputs with defaults existed (provider upgrade)", () => {
    const { type: _t, waitForReady: _w, readyTimeout: _r, ...legacy } = old;
    assert.equal(diffOrder(legacy, inputs).changes, false);
  });

  it("treats a value unknown at preview as a possible replacement, deleting first", () => {
    const d = diffOrder(old, { ...inputs, image: UNKNOWN });
    assert.deepEqual(d.replaces, ["image"]);
    assert.equal(d.deleteBeforeReplace, true);
  });

  it("replaces a create that never identified its order", () => {
    const { orderId: _o, ...pending } = old;
    assert.deepEqual(diffOrder(pending, inputs).replaces, ["orderId"]);
  });
});
