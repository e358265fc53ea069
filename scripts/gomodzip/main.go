// Command gomodzip adds one version of a Go module to a module-proxy directory, laid out as
// the GOPROXY protocol serves it (https://go.dev/ref/mod#goproxy-protocol):
//
//	<escaped module path>/@v/list          the versions, one a line
//	<escaped module path>/@v/<v>.info      {"Version": ..., "Time": ...}
//	<escaped module path>/@v/<v>.mod       the go.mod
//	<escaped module path>/@v/<v>.zip       the module zip, made by golang.org/x/mod/zip
//
// Served over HTTP, the directory is a GOPROXY; scripts/publish.sh uses it as the local
// stand-in of proxy.golang.org (which builds the same zip from the sdk/go/vX.Y.Z tag).
//
//	gomodzip -dir sdk/go -version v0.2.0 -out goproxy
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
	"golang.org/x/mod/zip"
)

func main() {
	dir := flag.String("dir", "", "the module's directory (with go.mod)")
	version := flag.String("version", "", "the version, vX.Y.Z")
	out := flag.String("out", "", "the module-proxy directory to add it to")
	flag.Parse()
	if *dir == "" || *version == "" || *out == "" {
		fmt.Fprintln(os.Stderr, "usage: gomodzip -dir DIR -version vX.Y.Z -out PROXY-DIR")
		os.Exit(2)
	}
	if err := run(*dir, *version, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gomodzip:", err)
		os.Exit(1)
	}
}

func run(dir, version, out string) error {
	gomod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return err
	}
	path := modfile.ModulePath(gomod)
	if path == "" {
		return fmt.Errorf("%s/go.mod declares no module", dir)
	}
	mv := module.Version{Path: path, Version: version}
	if err := module.Check(path, version); err != nil {
		return err
	}
	escaped, err := module.EscapePath(path)
	if err != nil {
		return err
	}
	vdir := filepath.Join(out, escaped, "@v")
	if err := os.MkdirAll(vdir, 0o755); err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(vdir, version+".zip"))
	if err != nil {
		return err
	}
	if err := zip.CreateFromDir(f, mv, dir); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(vdir, version+".mod"), gomod, 0o644); err != nil {
		return err
	}
	info, _ := json.Marshal(map[string]string{"Version": version, "Time": time.Now().UTC().Format(time.RFC3339)})
	if err := os.WriteFile(filepath.Join(vdir, version+".info"), info, 0o644); err != nil {
		return err
	}
	listPath := filepath.Join(vdir, "list")
	old, _ := os.ReadFile(listPath)
	versions := strings.Fields(string(old))
	if !slices.Contains(versions, version) {
		versions = append(versions, version)
	}
	if err := os.WriteFile(listPath, []byte(strings.Join(versions, "\n")+"\n"), 0o644); err != nil {
		return err
	}
	fmt.Printf("%s@%s -> %s\n", path, version, vdir)
	return nil
}
