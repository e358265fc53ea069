// The terminal-only behaviour (spinner, confirmation prompt), run in a pseudo-terminal made
// by util-linux `script`. Skipped where `script` is missing.
import { strict as assert } from "node:assert";
import { spawn, spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { CLI_MAIN, CliHarness } from "./helpers";

const hasScript = spawnSync("script", ["--version"]).status === 0;
const q = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;

/** Run clore in a pty; when the output shows `prompt`, type `answer`. Output is stdout+stderr. */
function inTerminal(
  args: string[],
  env: Record<string, string>,
  prompt?: RegExp,
  answer?: string,
): Promise<{ code: number | null; out: string }> {
  const cmd = [process.execPath, CLI_MAIN, ...args].map(q).join(" ");
  return new Promise((resolve, reject) => {
    const child = spawn("script", ["-qfec", cmd, "/dev/null"], {
      env: { PATH: process.env.PATH ?? "", TERM: "xterm", ...env },
    });
    let out = "";
    let answered = false;
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      out += d;
      if (prompt && !answered && prompt.test(out)) {
        answered = true;
        child.stdin.write(answer ?? "\n");
      }
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, out }));
  });
}

(hasScript ? describe : describe.skip)("clore on a terminal", () => {
  const h = new CliHarness();
  before(() => h.start());
  after(() => h.stop());

  it("deploy draws a spinner on stderr while it rents and waits", async () => {
    const [serverId] = h.rentable();
    // Boot takes long enough (5 min of emulator time = 3 s) that the wait is always visible.
    const boot = h.emu.options.bootDelayMs;
    h.emu.options.bootDelayMs = 300_000;
    const r = await inTerminal(
      [
        "deploy",
        String(serverId),
        "--image",
        "cloreai/ubuntu22.04-cuda12",
        "--currency",
        "USD-Blockchain",
        "--port",
        "22:tcp",
      ],
      h.env,
    );
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /\r\x1b\[K[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] Renting server \d+…/);
    assert.match(r.out, /\r\x1b\[K[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] Waiting for order \d+ to get its host and SSH port…/);
    assert.match(r.out, /Order \d+ is ready on server \d+\./);
    h.emu.options.bootDelayMs = boot;
  });

  it("orphans --cancel asks first; 'n' cancels nothing, 'y' cancels", async () => {
    const state = join(h.home, "empty-stack.json");
    writeFileSync(state, JSON.stringify({ version: 3, deployment: { resources: [] } }));
    const active = () => h.emu.activeOrders().map((o) => o.id);
    const before = active();
    assert.ok(before.length > 0);
    const prompt = /Cancel \d+ orders? \([\d, ]+\) costing .*\/day\? \[y\/N\] /;

    const no = await inTerminal(["orphans", "--state", state, "--cancel"], h.env, prompt, "n\r");
    assert.equal(no.code, 0, no.out);
    assert.match(no.out, /Nothing cancelled\./);
    assert.deepEqual(active(), before);

    const yes = await inTerminal(["orphans", "--state", state, "--cancel"], h.env, prompt, "y\r");
    assert.equal(yes.code, 0, yes.out);
    assert.match(yes.out, new RegExp(`Cancelled ${before.length} orders?: ${before.join(", ")}\\.`));
    assert.deepEqual(active(), []);
  });
});
