# The README's Python example, run by test/plugin/python.e2e.spec.ts against the emulator.
import pulumi
import pulumi_clore as clore

config = pulumi.Config()
market = clore.get_marketplace(gpu="RTX 4090", currency="USD-Blockchain", max_price_per_day=10)
if market.cheapest is None:
    raise Exception("no RTX 4090 under 10 USD-Blockchain/day right now")
trainer = clore.Order("trainer",
    server_id=market.cheapest.id, image="cloreai/ubuntu22.04-cuda12", currency="USD-Blockchain",
    ports={"22": "tcp"}, ssh_password=config.require_secret("sshPassword"),
    opts=pulumi.ResourceOptions(ignore_changes=["serverId"]))
pulumi.export("ssh", trainer.ssh_command)
