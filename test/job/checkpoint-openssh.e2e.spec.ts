import { join } from "node:path";
import { TrustOnFirstUse, connectSsh } from "../../provider/ssh";
import { sshdAvailable, startSshd } from "../helpers/sshd";
import { startTcpProxy } from "../helpers/tcp-proxy";
import { checkpointCases } from "./checkpoint-cases";

// The same specs against a real OpenSSH sshd (behind a loopback proxy, for the cut): GNU find,
// stat and touch and OpenSSH's SFTP server, as on a rented Debian/Ubuntu image.
checkpointCases("OpenSSH sshd", async () => {
  if (!sshdAvailable()) throw new Error("no /usr/sbin/sshd: run scripts/system-packages.sh");
  const sshd = await startSshd();
  const proxy = await startTcpProxy(sshd.port);
  const hostKeys = new TrustOnFirstUse();
  const target = { host: "127.0.0.1", port: proxy.port, user: sshd.user, privateKey: sshd.privateKey };
  return {
    connect: () => connectSsh(target, { waitMs: 10_000, hostKeys }),
    // Absolute: sessions start in the user's login directory, not in the scratch HOME.
    dir: (name) => ({ remote: join(sshd.home, name), here: join(sshd.home, name) }),
    cut: () => void proxy.cut(),
    close: async () => {
      await proxy.close();
      await sshd.stop();
    },
  };
});
