import { strict as assert } from "node:assert";
import { readFileSync, rmSync } from "node:fs";
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import {
  EVENT_KINDS,
  FakeClock,
  type LifecycleEvent,
  type LifecycleEventInput,
  WebhookSink,
  createEventBus,
  eventBusFor,
  eventPrice,
  parseEventsSetting,
  urnNames,
  webhookBody,
} from "../../provider/sdk";
import { scratchDir } from "../helpers/scratch-dir";

/** A local webhook: answers each POST with the next of `statuses` (then 200), or never with "hang". */
async function webhook(statuses: Array<number | "hang"> = []) {
  const bodies: Record<string, unknown>[] = [];
  let n = 0;
  const server: Server = createServer((req, res) => {
    let data = "";
    req.on("data", (c) => (data += c));
    req.on("end", () => {
      const status = statuses[n++] ?? 200;
      bodies.push({ ...JSON.parse(data), _status: status });
      if (status !== "hang") res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook/T000/SECRET-TOKEN`;
  return {
    url,
    bodies,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

const rented = (orderId: number): LifecycleEventInput => ({ kind: "order.rented", orderId, serverId: 60101 });

describe("lifecycle events", () => {
  describe("the setting", () => {
    it("reads stdout, file: paths and http(s) URLs, comma-separated", () => {
      assert.deepEqual(
        parseEventsSetting({ value: " stdout, file:/tmp/ev.jsonl,https://hooks.example/T1 ", source: "CLORE_EVENTS" }),
        [
          { kind: "stdout" },
          { kind: "file", path: "/tmp/ev.jsonl" },
          { kind: "webhook", url: "https://hooks.example/T1" },
        ],
      );
    });

    const bad: Array<[string, RegExp]> = [
      ["", /clore:events: is empty/],
      ["stdout,slack", /clore:events: expected stdout, file:\/path or an http\(s\):\/\/ webhook URL.*got "slack"/],
      ["file:relative.jsonl", /clore:events: file sink needs an absolute path/],
      ["https://", /clore:events: is not a valid webhook URL \(https:\/\/…\)/],
    ];
    for (const [value, message] of bad) {
      it(`rejects ${JSON.stringify(value)}, naming the setting`, () => {
        assert.throws(() => parseEventsSetting({ value, source: "clore:events" }), message);
      });
    }

    it("never echoes a webhook URL's path (a Slack URL is a credential)", () => {
      assert.throws(
        () =>
          parseEventsSetting({ value: "hxxps://hooks.slack.com/services/T0/B0/SECRET-TOKEN-1234567890", source: "x" }),
        (e: Error) => !e.message.includes("SECRET-TOKEN"),
      );
    });
  });

  it("declares every kind the README lists", () => {
    assert.deepEqual(EVENT_KINDS, [
      "order.rented",
      "order.ready",
      "order.outbid",
      "order.ended",
      "order.ttl-cancelled",
      "order.cancelled",
      "order.orphan-swept",
      "job.started",
      "job.reconnected",
      "job.restarted",
      "job.finished",
      "job.failed",
    ]);
  });

  it("writes JSON lines to a file, in order, with the time", () => {
    const dir = scratchDir("events");
    try {
      const path = join(dir, "events.jsonl");
      const clock = new FakeClock(Date.UTC(2026, 11, 8, 3, 0, 0));
      const bus = createEventBus(parseEventsSetting({ value: `file:${path}`, source: "t" }), { clock });
      bus.emit(rented(1));
      bus.emit({ kind: "order.cancelled", orderId: 1, reason: "pulumi destroy" });
      const lines = readFileSync(path, "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      assert.deepEqual(lines, [
        { kind: "order.rented", time: "2026-12-08T03:00:00.000Z", orderId: 1, serverId: 60101 },
        { kind: "order.cancelled", time: "2026-12-08T03:00:00.000Z", orderId: 1, reason: "pulumi destroy" },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("sends only the declared fields: keys, passwords and env handed in by mistake are dropped", async () => {
    const dir = scratchDir("events");
    const hook = await webhook();
    try {
      const path = join(dir, "events.jsonl");
      const bus = createEventBus(parseEventsSetting({ value: `file:${path},${hook.url}`, source: "t" }));
      const leaky = {
        ...rented(7),
        apiKey: "KEY-abc",
        sshPassword: "PW-abc",
        env: { HF_TOKEN: "TOKEN-abc" },
        price: { perDay: 2, currency: "USD-Blockchain", password: "PW-def" },
      };
      bus.emit(leaky as LifecycleEventInput);
      await bus.flush(2000);
      const sent = [readFileSync(path, "utf8"), JSON.stringify(hook.bodies)].join("\n");
      for (const secret of ["KEY-abc", "PW-abc", "TOKEN-abc", "PW-def", "HF_TOKEN", "apiKey", "sshPassword"])
        assert.ok(!sent.includes(secret), `${secret} was sent`);
      assert.equal(hook.bodies.length, 1);
      assert.deepEqual((hook.bodies[0] as { price: unknown }).price, { perDay: 2, currency: "USD-Blockchain" });
    } finally {
      await hook.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("posts a Slack-compatible body: text, then the event's fields", () => {
    const e = {
      kind: "order.outbid",
      time: "2026-12-08T03:00:00.000Z",
      orderId: 12,
      serverId: 60101,
      stack: "dev",
      resource: "gpu",
      price: eventPrice({ price: 31, currency: "CLORE-Blockchain" }),
      reason: "the spot order ended without a cancel from this stack",
    } as LifecycleEvent;
    assert.deepEqual(JSON.parse(webhookBody(e)), {
      text: "clore: order 12 on server 60101 was outbid (its spot bid lost) (31 CLORE-Blockchain/day): the spot order ended without a cancel from this stack [dev/gpu]",
      ...e,
    });
  });

  it("says where a job was, by position", () => {
    const e = {
      kind: "job.failed",
      time: "2026-12-08T03:00:00.000Z",
      stack: "ci-7",
      orderId: 12,
      step: "command 2 of 3",
      reason: "a command exited with code 3",
    } as LifecycleEvent;
    assert.equal(
      JSON.parse(webhookBody(e)).text,
      "clore: job on order 12 failed in command 2 of 3: a command exited with code 3 [ci-7]",
    );
  });

  it("names the stack and resource from a URN", () => {
    assert.deepEqual(urnNames("urn:pulumi:dev::proj::pulumi-nodejs:dynamic:Resource::gpu-0"), {
      stack: "dev",
      resource: "gpu-0",
    });
    assert.deepEqual(urnNames(undefined), {});
  });

  describe("the webhook", () => {
    it("delivers every event in order, one at a time", async () => {
      const hook = await webhook();
      try {
        const sink = new WebhookSink(hook.url, () => undefined);
        for (let i = 1; i <= 5; i++)
          sink.send(JSON.parse(JSON.stringify({ ...rented(i), time: new Date(0).toISOString() })));
        await sink.flush(Date.now() + 5000);
        assert.deepEqual(
          hook.bodies.map((b) => b.orderId),
          [1, 2, 3, 4, 5],
        );
      } finally {
        await hook.close();
      }
    });

    it("tries a 500 again with doubling backoff, and gives a 400 up at once", async () => {
      const hook = await webhook([500, 503, 400]);
      try {
        const clock = new FakeClock();
        const notices: string[] = [];
        const sink = new WebhookSink(hook.url, (m) => notices.push(m), { clock, attempts: 3, backoffMs: 500 });
        const e = { ...rented(1), time: new Date(0).toISOString() } as LifecycleEvent;
        sink.send(e);
        sink.send({ ...e, orderId: 2 });
        sink.send({ ...e, orderId: 3 });
        await sink.flush(clock.now() + 60_000);
        assert.deepEqual(
          hook.bodies.map((b) => [b.orderId, b._status]),
          [
            [1, 500],
            [1, 503],
            [1, 400],
            [2, 200],
            [3, 200],
          ],
        );
        assert.deepEqual(clock.sleeps, [500, 1000]);
        assert.equal(notices.length, 1);
        assert.match(notices[0]!, /did not take an event after 3 tries/);
        assert.ok(!notices[0]!.includes("SECRET-TOKEN"), "the webhook URL's path was logged");
      } finally {
        await hook.close();
      }
    });

    it("gives a hanging webhook up after the per-attempt timeout; send never waits and flush is bounded", async () => {
      const hook = await webhook(["hang", "hang", "hang"]);
      try {
        const sink = new WebhookSink(hook.url, () => undefined, { timeoutMs: 100, attempts: 2, backoffMs: 10 });
        const t0 = performance.now();
        sink.send({ ...rented(1), time: new Date(0).toISOString() } as LifecycleEvent);
        assert.ok(performance.now() - t0 < 50, "send waited for the webhook");
        await sink.flush(Date.now() + 60);
        const flushed = performance.now() - t0;
        assert.ok(flushed >= 50 && flushed < 1000, `flush took ${flushed} ms`);
        assert.equal(sink.pending, 1);
        // Both attempts time out, then the event is dropped.
        await sink.flush(Date.now() + 5000);
        assert.equal(sink.pending, 0);
        assert.equal(hook.bodies.length, 2);
      } finally {
        await hook.close();
      }
    });
  });

  it("is off without a setting, and one bus per setting in a process", () => {
    assert.equal(eventBusFor(undefined).enabled, false);
    const dir = scratchDir("events");
    const a = eventBusFor({ value: `file:${dir}/a.jsonl`, source: "CLORE_EVENTS" });
    assert.equal(eventBusFor({ value: `file:${dir}/a.jsonl`, source: "clore:events" }), a);
    rmSync(dir, { recursive: true, force: true });
  });
});
