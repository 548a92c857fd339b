//! Links the `arazzo` binary with the functions a run executes next to each other: the names
//! in `link/symbol-order.txt` (written by `bench/symbol-order.sh`), given to lld, the linker of
//! Rust's x86-64 Linux target. Scattered over the whole binary, those functions made the
//! kernel map 7.9 MiB of code for one run; side by side, 2.3 MiB (BENCHMARKS.md). Names the
//! binary lacks (after a dependency or compiler update) are skipped without a warning.

use std::env;
use std::path::Path;

fn main() {
    println!("cargo::rerun-if-changed=link/symbol-order.txt");
    println!("cargo::rerun-if-env-changed=RUSTC_LINKER");
    // lld's option: only where lld is the linker, i.e. the target's default was kept.
    let target = env::var("TARGET").unwrap_or_default();
    let rustflags = env::var("CARGO_ENCODED_RUSTFLAGS").unwrap_or_default();
    let default_linker = env::var_os("RUSTC_LINKER").is_none()
        && !["linker", "link-self-contained", "fuse-ld"]
            .iter()
            .any(|flag| rustflags.contains(flag));
    if target != "x86_64-unknown-linux-gnu" || !default_linker {
        return;
    }
    let manifest_dir = env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let order = Path::new(&manifest_dir).join("link/symbol-order.txt");
    let order_arg = order.display().to_string();
    // Without the list the binary links as usual; `-Wl,` would split a path at its commas.
    if !order.exists() || order_arg.contains(',') {
        return;
    }
    println!("cargo::rustc-link-arg-bin=arazzo=-Wl,--symbol-ordering-file={order_arg}");
    println!("cargo::rustc-link-arg-bin=arazzo=-Wl,--no-warn-symbol-ordering");
}
