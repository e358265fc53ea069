module clore-plugin-go

go 1.26

require (
	github.com/pulumi/pulumi/sdk/v3 v3.274.1
	pulumi-clore.local/sdk/go v0.0.0
)

// The Go SDK scripts/release.sh builds (the test points this at its release directory).
replace pulumi-clore.local/sdk/go => ../../../../release/sdk/go
