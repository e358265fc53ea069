// gensdk generates a Pulumi SDK from our package schema with the code generators of
// github.com/pulumi/pulumi/pkg/v3 (the version scripts/install-tools.sh builds it against).
// `pulumi package gen-sdk` does the same through the language hosts' GeneratePackage call,
// which the old language hosts we can build here lack (README, toolchain notes).
//
//	gensdk -schema provider/plugin/schema.json -language python|go -version 0.1.0 -out DIR
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/blang/semver"
	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	"github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

// noLoader: our schema references no other package, so any lookup is a bug in the schema.
type noLoader struct{}

func (noLoader) LoadPackage(pkg string, _ *semver.Version) (*schema.Package, error) {
	return nil, fmt.Errorf("package %q: the clore schema must not reference other packages", pkg)
}

func (l noLoader) LoadPackageV2(_ context.Context, d *schema.PackageDescriptor) (*schema.Package, error) {
	return l.LoadPackage(d.Name, nil)
}

func (l noLoader) LoadPackageReference(pkg string, v *semver.Version) (schema.PackageReference, error) {
	_, err := l.LoadPackage(pkg, v)
	return nil, err
}

func (l noLoader) LoadPackageReferenceV2(_ context.Context, d *schema.PackageDescriptor) (schema.PackageReference, error) {
	return l.LoadPackageReference(d.Name, nil)
}

func main() {
	schemaPath := flag.String("schema", "provider/plugin/schema.json", "package schema (JSON)")
	language := flag.String("language", "", "python or go")
	version := flag.String("version", "", "the package version (the schema file carries none)")
	out := flag.String("out", "", "output directory (replaced)")
	flag.Parse()
	if *language == "" || *version == "" || *out == "" {
		fmt.Fprintln(os.Stderr, "usage: gensdk -schema FILE -language python|go -version X.Y.Z -out DIR")
		os.Exit(2)
	}
	if err := run(*schemaPath, *language, *version, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gensdk:", err)
		os.Exit(1)
	}
}

func run(schemaPath, language, version, out string) error {
	raw, err := os.ReadFile(schemaPath)
	if err != nil {
		return err
	}
	var spec schema.PackageSpec
	if err := json.Unmarshal(raw, &spec); err != nil {
		return fmt.Errorf("parse %s: %w", schemaPath, err)
	}
	spec.Version = version
	loader := noLoader{}
	pkg, diags, err := schema.BindSpec(spec, loader, schema.ValidationOptions{})
	if err != nil {
		return err
	}
	// Warnings fail too: a schema the generators only half understand makes a half SDK.
	if len(diags) > 0 {
		return diags
	}
	const tool = "pulumi-clore gensdk"
	var files map[string][]byte
	switch language {
	case "python":
		files, err = python.GeneratePackage(tool, pkg, nil, loader)
	case "go":
		files, err = gogen.GeneratePackage(tool, pkg, nil)
	default:
		return fmt.Errorf("unsupported language %q (python or go)", language)
	}
	if err != nil {
		return err
	}
	if err := os.RemoveAll(out); err != nil {
		return err
	}
	for name, data := range files {
		p := filepath.Join(out, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return err
		}
	}
	return nil
}
