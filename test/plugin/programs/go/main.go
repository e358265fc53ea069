// The README's Go example: the cheapest matching server, rented on an explicit provider.
package main

import (
	"errors"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
	"pulumi-clore.local/sdk/go/clore"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		cfg := config.New(ctx, "")
		account, err := clore.NewProvider(ctx, "account", &clore.ProviderArgs{ApiKey: cfg.RequireSecret("cloreKey")})
		if err != nil {
			return err
		}
		currency, maxPrice := "USD-Blockchain", 10.0
		market, err := clore.GetMarketplace(ctx, &clore.GetMarketplaceArgs{Currency: &currency, MaxPricePerDay: &maxPrice}, pulumi.Provider(account))
		if err != nil {
			return err
		}
		if market.Cheapest == nil {
			return errors.New("no server under 10 USD-Blockchain/day right now")
		}
		trainer, err := clore.NewOrder(ctx, "trainer", &clore.OrderArgs{
			ServerId:    pulumi.Int(market.Cheapest.Id),
			Image:       pulumi.String("cloreai/ubuntu22.04-cuda12"),
			Currency:    pulumi.String(currency),
			Ports:       pulumi.StringMap{"22": pulumi.String("tcp")},
			SshPassword: cfg.RequireSecret("sshPassword"),
		}, pulumi.Provider(account), pulumi.IgnoreChanges([]string{"serverId"}), pulumi.Timeouts(&pulumi.CustomTimeouts{Create: "10m"}))
		if err != nil {
			return err
		}
		ctx.Export("ssh", trainer.SshCommand)
		return nil
	})
}
