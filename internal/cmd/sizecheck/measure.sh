#!/bin/sh
# Prints, for the memory-only server, the PostgreSQL-only server and examples/authserver, the
# size of the binary `go build` makes (and with -ldflags=-s -w), the number of packages it
# links (go list -deps), how many of those are outside the standard library, and how many
# modules they come from. Run it from the repository root: internal/cmd/sizecheck/measure.sh
set -eu
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
printf '%-40s %10s %10s %6s %8s %8s\n' program bytes stripped pkgs non-std modules
for p in ./internal/cmd/sizecheck/memory ./internal/cmd/sizecheck/postgres ./examples/authserver; do
  go build -o "$out/a" "$p"
  go build -ldflags='-s -w' -o "$out/s" "$p"
  pkgs=$(go list -deps "$p" | wc -l)
  nonstd=$(go list -deps -f '{{if not .Standard}}{{.ImportPath}}{{end}}' "$p" | grep -c .)
  mods=$(go list -deps -f '{{with .Module}}{{.Path}}{{end}}' "$p" | sort -u | grep -c .)
  printf '%-40s %10d %10d %6d %8d %8d\n' "$p" "$(wc -c <"$out/a")" "$(wc -c <"$out/s")" "$pkgs" "$nonstd" "$mods"
done
