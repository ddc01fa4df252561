#!/usr/bin/env bash
# What TLS costs the conformance example's build, by crypto provider (BENCHMARKS.md, issue 32): a
# clean `cargo build --release` of a crate with actix-web alone, then with actix-web's rustls
# support and each of rustls' providers, one after the other, in a temporary directory. Run it on
# an idle machine: it measures wall time.
set -euo pipefail
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
project() { # name, extra dependency lines
  mkdir -p "$dir/$1/src"
  printf 'fn main() {}\n' >"$dir/$1/src/main.rs"
  cat >"$dir/$1/Cargo.toml" <<TOML
[package]
name = "tls-cost-$1"
version = "0.0.0"
edition = "2021"

[dependencies]
$2
TOML
}
project base 'actix-web = { version = "4.18", default-features = false, features = ["macros"] }'
project ring 'actix-web = { version = "4.18", default-features = false, features = ["macros", "rustls-0_23", "http2"] }
rustls = { version = "0.23", default-features = false, features = ["ring", "std", "tls12"] }'
project aws-lc-rs 'actix-web = { version = "4.18", default-features = false, features = ["macros", "rustls-0_23", "http2"] }
rustls = { version = "0.23", default-features = false, features = ["aws_lc_rs", "std", "tls12"] }'
printf '| | crates compiled | wall time |\n| --- | ---: | ---: |\n'
for name in base ring aws-lc-rs; do
  start=$(date +%s.%N)
  (cd "$dir/$name" && CARGO_TARGET_DIR="$dir/$name/target" cargo build --release 2>"$dir/$name.log")
  end=$(date +%s.%N)
  printf '| %s | %s | %.1f s |\n' "$name" "$(grep -c Compiling "$dir/$name.log")" "$(echo "$end - $start" | bc)"
done
