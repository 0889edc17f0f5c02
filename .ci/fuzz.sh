#!/usr/bin/env bash
# Short, bounded coverage-guided fuzzing of bsm-format (cargo-fuzz + libFuzzer).
#
# Runs every target in bsm-format/fuzz for FUZZ_SECONDS each, one after the
# other, seeded with the .bsm files of ../shared/conformance (relative to the
# repository root). Exits non-zero if the build fails, if the seeds are
# missing, or if any target crashes (panic, failed assertion, timeout, OOM).
#
# Environment:
#   FUZZ_SECONDS    seconds per target (default 30)
#   FUZZ_SANITIZER  cargo-fuzz sanitizer: none (default) or address. The crate
#                   forbids unsafe code, so "none" finds the same panics at
#                   up to 10x the executions per second.
#   FUZZ_MAX_LEN    largest input libFuzzer generates (default 4096)
#   FUZZ_TIMEOUT    seconds one input may run before it counts as a hang (default 10)
#   FUZZ_TARGETS    space-separated targets (default: all of `cargo fuzz list`)
set -euo pipefail

FUZZ_SECONDS=${FUZZ_SECONDS:-30}
FUZZ_SANITIZER=${FUZZ_SANITIZER:-none}
FUZZ_MAX_LEN=${FUZZ_MAX_LEN:-4096}
FUZZ_TIMEOUT=${FUZZ_TIMEOUT:-10}

die() {
    echo "fuzz.sh: error: $*" >&2
    exit 2
}

for var in FUZZ_SECONDS FUZZ_MAX_LEN FUZZ_TIMEOUT; do
    [[ ${!var} =~ ^[1-9][0-9]*$ ]] || die "$var must be a positive integer, got '${!var}'"
done
case $FUZZ_SANITIZER in
    none | address) ;;
    *) die "FUZZ_SANITIZER must be none or address, got '$FUZZ_SANITIZER'" ;;
esac

# The repository root: this script lives in <root>/.ci.
script_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
root=$(cd -- "$script_dir/.." && pwd)
fuzz_dir="$root/bsm-format/fuzz"
[[ -f $fuzz_dir/Cargo.toml ]] || die "no fuzz crate at $fuzz_dir"

conformance="$root/../shared/conformance"
seed_dirs=("$conformance/reference" "$conformance/extra")
for dir in "${seed_dirs[@]}"; do
    [[ -d $dir ]] || die "seed directory $dir is missing (expected ../shared/conformance next to the repository)"
done
shopt -s nullglob
seeds=()
for dir in "${seed_dirs[@]}"; do
    seeds+=("$dir"/*.bsm)
done
shopt -u nullglob
((${#seeds[@]} > 0)) || die "no .bsm seed files in ${seed_dirs[*]}"

# cargo-fuzz passes nightly-only flags (-Z sanitizer, sancov passes) to rustc;
# RUSTC_BOOTSTRAP lets the stable toolchain accept them.
export RUSTC_BOOTSTRAP=1

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz.sh: installing cargo-fuzz"
    cargo install cargo-fuzz --locked
fi
echo "fuzz.sh: $(cargo fuzz --version)"

cd "$root/bsm-format"

if [[ -n ${FUZZ_TARGETS:-} ]]; then
    read -r -a targets <<<"$FUZZ_TARGETS"
else
    mapfile -t targets < <(cargo fuzz list)
fi
((${#targets[@]} > 0)) || die "no fuzz targets"

# Seed the corpora (gitignored; libFuzzer adds what it finds to them).
for target in "${targets[@]}"; do
    mkdir -p "fuzz/corpus/$target"
    cp -- "${seeds[@]}" "fuzz/corpus/$target/"
done
echo "fuzz.sh: ${#seeds[@]} seed files per target"

echo "fuzz.sh: building ${targets[*]} (sanitizer: $FUZZ_SANITIZER)"
cargo fuzz build --sanitizer "$FUZZ_SANITIZER"

failed=()
for target in "${targets[@]}"; do
    echo "fuzz.sh: running $target for ${FUZZ_SECONDS}s"
    log=$(mktemp)
    status=0
    cargo fuzz run --sanitizer "$FUZZ_SANITIZER" "$target" -- \
        -max_total_time="$FUZZ_SECONDS" \
        -max_len="$FUZZ_MAX_LEN" \
        -timeout="$FUZZ_TIMEOUT" \
        -print_final_stats=1 >"$log" 2>&1 || status=$?
    if ((status != 0)); then
        cat "$log"
        echo "fuzz.sh: $target FAILED (exit $status); inputs in bsm-format/fuzz/artifacts/$target/:" >&2
        ls -l "fuzz/artifacts/$target/" >&2 || true
        failed+=("$target")
    else
        # The last status line and the final stats.
        grep -E '^#[0-9]+[[:space:]]+DONE|^stat::' "$log" || tail -n 5 "$log"
    fi
    rm -f -- "$log"
done

if ((${#failed[@]} > 0)); then
    echo "fuzz.sh: crashes in: ${failed[*]}" >&2
    exit 1
fi
echo "fuzz.sh: no crashes in ${targets[*]}"
