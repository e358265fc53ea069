"""Rent the cheapest RTX 4090 under $10/day and print how to reach it."""

import pulumi
import pulumi_clore as clore

config = pulumi.Config()
# Find-and-rent: the cheapest match when created, kept on every later run.
trainer = clore.Order(
    "trainer",
    select={"gpus": ["RTX 4090"]},
    max_price_per_day=10,
    image="cloreai/ubuntu22.04-cuda12",
    currency="USD-Blockchain",
    ports={"22": "tcp"},
    ssh_password=config.require_secret("sshPassword"),
    opts=pulumi.ResourceOptions(custom_timeouts=pulumi.CustomTimeouts(create="15m")),
)
pulumi.export("server", trainer.server_id)
pulumi.export("ssh", trainer.ssh_command)
