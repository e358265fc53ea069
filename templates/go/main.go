// Rent the cheapest RTX 4090 under $10/day and print how to reach it.
package main

import (
	"github.com/pulumi-clore/pulumi-clore/sdk/go/clore"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		cfg := config.New(ctx, "")
		// Find-and-rent: the cheapest match when created, kept on every later run.
		trainer, err := clore.NewOrder(ctx, "trainer", &clore.OrderArgs{
			Select:         &clore.OrderSelectArgs{Gpus: pulumi.StringArray{pulumi.String("RTX 4090")}},
			MaxPricePerDay: pulumi.Float64(10),
			Image:          pulumi.String("cloreai/ubuntu22.04-cuda12"),
			Currency:       pulumi.String("USD-Blockchain"),
			Ports:          pulumi.StringMap{"22": pulumi.String("tcp")},
			SshPassword:    cfg.RequireSecret("sshPassword"),
		}, pulumi.Timeouts(&pulumi.CustomTimeouts{Create: "15m"}))
		if err != nil {
			return err
		}
		ctx.Export("server", trainer.ServerId)
		ctx.Export("ssh", trainer.SshCommand)
		return nil
	})
}
