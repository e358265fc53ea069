module ${PROJECT}

go 1.26

require (
	github.com/pulumi/pulumi/sdk/v3 v3.274.1
	github.com/pulumi-clore/pulumi-clore/sdk/go v0.2.0
)
