"""The cheapest matching server, rented with an ssh password kept secret."""
import pulumi
import pulumi_clore as clore

config = pulumi.Config()

market = clore.get_marketplace(currency="USD-Blockchain", max_price_per_day=10)
if market.cheapest is None:
    raise Exception("no server under 10 USD-Blockchain/day right now")

trainer = clore.Order(
    "trainer",
    server_id=market.cheapest.id,
    image="cloreai/ubuntu22.04-cuda12",
    currency="USD-Blockchain",
    ports={"22": "tcp"},
    ssh_password=config.require_secret("sshPassword"),
    # Keep the rented server when a cheaper one appears.
    opts=pulumi.ResourceOptions(ignore_changes=["serverId"]),
)

pulumi.export("ssh", trainer.ssh_command)
pulumi.export("orderId", trainer.order_id)
