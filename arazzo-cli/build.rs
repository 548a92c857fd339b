//! Links the `arazzo` binary with the functions a run executes next to each other: the names
//! in `link/symbol-order.txt` (written by `bench/symbol-order.sh`), given to lld, the linker of
//! Rust's x86-64 Linux target. Scattered over the whole binary, those functions made the
//! kernel map 7.9 MiB of code for one run; side by side, 2.3 MiB (BENCHMARKS.md). Names the
//! binary lacks (after a dependency or compiler update) are skipped without a warning.
//!
//! Only for the `dist` profile (the benchmarks, `cargo install --profile dist`): the list's
//! mangled names go stale with any dependency or compiler update, and debug, test and plain
//! release builds have no use for the layout.

use std::env;
use std::path::Path;

fn main() {
    println!("cargo::rerun-if-changed=link/symbol-order.txt");
    println!("cargo::rerun-if-env-changed=RUSTC_LINKER");
    // Cargo tells build scripts only "release" or "debug"; the profile's own name is the
    // folder the build goes to (`target/dist/…`, `target/<triple>/dist/…`).
    let out_dir = env::var("OUT_DIR").unwrap_or_default();
    if !Path::new(&out_dir)
        .components()
        .any(|part| part.as_os_str() == "dist")
    {
        return;
    }
    // lld's option: only where lld is the linker, i.e. the target's default was kept.
    let target = env::var("TARGET").unwrap_or_default();
    let rustflags = env::var("CARGO_ENCODED_RUSTFLAGS").unwrap_or_default();
    let default_linker = env::var_os("RUSTC_LINKER").is_none()
        && !["linker", "link-self-contained", "fuse-ld"]
            .iter()
            .any(|flag| rustflags.contains(flag));
    if target != "x86_64-unknown-linux-gnu" || !default_linker {
        println!(
            "cargo::warning=the function layout (link/symbol-order.txt) is for lld on x86_64-unknown-linux-gnu: skipped"
        );
        return;
    }
    let manifest_dir = env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let order = Path::new(&manifest_dir).join("link/symbol-order.txt");
    let order_arg = order.display().to_string();
    // Without the list the binary links as usual; `-Wl,` would split a path at its commas.
    if !order.exists() || order_arg.contains(',') {
        println!(
            "cargo::warning=the function layout {order_arg} is missing or its path has a comma: skipped"
        );
        return;
    }
    println!("cargo::rustc-link-arg-bin=arazzo=-Wl,--symbol-ordering-file={order_arg}");
    println!("cargo::rustc-link-arg-bin=arazzo=-Wl,--no-warn-symbol-ordering");
}
