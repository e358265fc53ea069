import { strict as assert } from "node:assert";
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { UndiciTransport } from "../../provider/sdk/transport";

describe("undici transport", () => {
  let server: Server;
  let url: string;
  const arrivals: number[] = [];
  const bodies: string[] = [];
  before(async () => {
    server = createServer((req, res) => {
      arrivals.push(performance.now());
      let body = "";
      req
        .on("data", (c) => (body += c))
        .on("end", () => {
          bodies.push(`${req.method} ${body}`);
          res.end('{"code":0}');
        });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/server_config`;
  });
  after(() => new Promise((r) => server.close(r)));

  it("tells the rate limiter when each request is written, before the server sees it (first request on a new connection too)", async () => {
    const transport = new UndiciTransport();
    const writes: number[] = [];
    try {
      for (let i = 0; i < 3; i++) {
        const res = await transport.send({
          method: "GET",
          url,
          headers: {},
          body: `{"server_name":"n${i}"}`,
          timeoutMs: 5000,
          endpoint: "server_config",
          onWrite: () => writes.push(performance.now()),
        });
        assert.equal(res.status, 200);
      }
    } finally {
      await transport.close();
    }
    assert.equal(writes.length, 3);
    for (const [i, w] of writes.entries())
      assert.ok(w <= arrivals[i]!, `write ${i} at ${w} after arrival ${arrivals[i]}`);
    assert.deepEqual(
      bodies,
      ['GET {"server_name":"n0"}', 'GET {"server_name":"n1"}', 'GET {"server_name":"n2"}'],
      "GET carries its body",
    );
  });
});
