import { existsSync, readFileSync } from "node:fs";
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import type { Release } from "./helpers";

/** A plain HTTP server for the release assets, as a GitHub release serves them: /v<version>/<asset>. */
export async function assetServer(rel: Release): Promise<{ server: Server; url: string; gets: string[] }> {
  const gets: string[] = [];
  const server = createServer((req, res) => {
    gets.push(req.url ?? "");
    const m = /^\/v([^/]+)\/([^/]+)$/.exec(req.url ?? "");
    const file = m && m[1] === rel.version ? join(rel.dir, decodeURIComponent(m[2]!)) : undefined;
    if (!file || dirname(file) !== rel.dir || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    const body = readFileSync(file);
    res.writeHead(200, { "content-type": "application/octet-stream", "content-length": body.length }).end(body);
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, gets };
}
