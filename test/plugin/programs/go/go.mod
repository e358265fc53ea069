module clore-plugin-go

go 1.26

require (
	github.com/pulumi/pulumi/sdk/v3 v3.274.1
	github.com/pulumi-clore/pulumi-clore/sdk/go v0.0.0
)

// The Go SDK scripts/release.sh builds (the test points this at its release directory).
replace github.com/pulumi-clore/pulumi-clore/sdk/go => ../../../../release/sdk/go
