/**
 * A CI job on a rented GPU, start to finish: `pulumi up` an ephemeral stack, wait until the
 * server answers, run the job step, and destroy the stack in `finally` — even when the job
 * fails — so a red build never leaves a server billing.
 *
 *     CLORE_API_KEY=... npx ts-node examples/ci-training/run.ts
 */
import { randomBytes } from "node:crypto";
import { connect } from "node:net";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { CloreClient } from "pulumi-clore";

export interface TrainingJobOptions {
  /** Stack name; one per CI run, e.g. `ci-${GITHUB_RUN_ID}`. */
  stackName: string;
  /** Server to rent; default: the cheapest available server accepting USD-Blockchain. */
  serverId?: number;
  /** The job step; default: check that the ssh port answers. */
  job?: (target: { host: string; port: number }) => Promise<void>;
  /** Extra stack config (e.g. clore:baseUrl). The API key comes from CLORE_API_KEY or clore:apiKey. */
  config?: Record<string, { value: string; secret?: boolean }>;
  log?: (line: string) => void;
  /** The Pulumi project directory; default this example's. */
  workDir?: string;
}

export async function runTrainingJob(opts: TrainingJobOptions): Promise<{ orderId: number }> {
  const log = opts.log ?? ((l: string) => process.stdout.write(l));
  const serverId = opts.serverId ?? (await cheapestServer());
  const stack = await LocalWorkspace.createOrSelectStack({ stackName: opts.stackName, workDir: opts.workDir ?? __dirname });
  try {
    await stack.setAllConfig({
      serverId: { value: String(serverId) },
      sshPassword: { value: randomBytes(12).toString("hex"), secret: true },
      jobId: { value: opts.stackName },
      ...opts.config,
    });
    const up = await stack.up({ onOutput: log });
    const host = String(up.outputs.sshHost?.value);
    const port = Number(up.outputs.sshPort?.value);
    log(`server ready at ${host}:${port}; running the job\n`);
    await (opts.job ?? probe)({ host, port });
    return { orderId: Number(up.outputs.orderId?.value) };
  } finally {
    // Runs on success, on a failed job and on a failed up (which may have rented a server).
    await stack.destroy({ onOutput: log });
    await stack.workspace.removeStack(opts.stackName);
  }
}

async function cheapestServer(): Promise<number> {
  await using clore = new CloreClient();
  const servers = (await clore.marketplace()).filter((s) => s.allowed_coins?.includes("USD-Blockchain") && s.price?.on_demand?.["USD-Blockchain"]);
  servers.sort((a, b) => (a.price!.on_demand!["USD-Blockchain"] ?? 0) - (b.price!.on_demand!["USD-Blockchain"] ?? 0));
  if (!servers[0]) throw new Error("No available server accepts USD-Blockchain; pass serverId.");
  return servers[0].id;
}

/** The stand-in job: the server's ssh port accepts a TCP connection. */
function probe({ host, port }: { host: string; port: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port }, () => {
      socket.end();
      resolve();
    });
    socket.setTimeout(5000, () => socket.destroy(new Error(`no answer from ${host}:${port}`)));
    socket.once("error", reject);
  });
}

if (require.main === module) {
  runTrainingJob({ stackName: process.env.CLORE_CI_STACK ?? `ci-${Date.now()}` }).then(
    (r) => console.log(`job done on order ${r.orderId}; stack destroyed`),
    (e) => {
      console.error(`job failed: ${e instanceof Error ? e.message : e}`);
      process.exit(1);
    },
  );
}
