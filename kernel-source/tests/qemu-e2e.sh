#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# qemu-e2e.sh - the end-to-end test of lxbsm.ko in a real kernel.
#
# It installs what it needs with apt (only what is missing), builds
# lxbsm.ko against Debian's kernel, packs an initramfs (busybox-static, the
# module, lxbsmd and lxbsmcat, the workload, tests/guest/init), boots it under
# qemu with TCG, and checks the trails the guest wrote with our praudit and
# auditreduce.
# Exits non-zero on any failure.  Run it as root from anywhere:
#
#   kernel-source/tests/qemu-e2e.sh
#
# KEEP=1 keeps the work directory; LXBSM_E2E_WORK=DIR chooses it.
set -euo pipefail

T0=$(date +%s)
HERE=$(cd "$(dirname "$0")" && pwd)
KSRC=$(dirname "$HERE")
ROOT=$(dirname "$KSRC")
WORK=${LXBSM_E2E_WORK:-$(mktemp -d /tmp/lxbsm-e2e.XXXXXX)}
# cargo's output directory (CARGO_TARGET_DIR, as cargo itself takes it)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
mkdir -p "$WORK"
PASSED=0
FAILED=0

say() { echo "qemu-e2e: $*"; }
die() { echo "qemu-e2e: ERROR: $*" >&2; exit 1; }
cleanup() {
	if [ "${KEEP:-0}" = 1 ] || [ "$FAILED" != 0 ]; then
		say "work directory kept: $WORK"
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT

# --- 1. packages -----------------------------------------------------------
installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}
need=()
for p in linux-image-amd64 linux-headers-amd64 qemu-system-x86 \
	 busybox-static gcc make libc6-dev cpio tar patch; do
	installed "$p" || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
	say "installing: ${need[*]}"
	[ "$(id -u)" = 0 ] || die "need root to install ${need[*]}"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
T_APT=$(date +%s)

# The kernel that linux-image-amd64 stands for, with its headers.
KVER=$(dpkg-query -W -f='${Depends}' linux-image-amd64 |
	grep -o 'linux-image-[^ ,]*' | head -1 | sed 's/^linux-image-//')
[ -n "$KVER" ] || die "cannot tell the kernel version of linux-image-amd64"
if [ ! -e "/usr/lib/modules/$KVER/build" ] || [ ! -e "/boot/vmlinuz-$KVER" ]; then
	die "kernel $KVER: /boot/vmlinuz-$KVER or its headers are missing"
fi
say "kernel $KVER"

# --- 2. build ----------------------------------------------------------------
mkdir -p "$WORK/mod"
cp "$KSRC"/*.c "$KSRC"/*.h "$KSRC"/Kbuild "$KSRC"/Makefile "$WORK/mod/"
make -s -C "/usr/lib/modules/$KVER/build" M="$WORK/mod" modules \
	>"$WORK/build.log" 2>&1 || { cat "$WORK/build.log"; die "module build failed"; }
if grep -E 'warning|error' "$WORK/build.log"; then
	die "module build printed warnings"
fi
say "built lxbsm.ko"
# qemu-bench.sh's BENCH_FLOOR=1 variant must still apply and build cleanly
mkdir -p "$WORK/floor"
cp "$KSRC"/*.c "$KSRC"/*.h "$KSRC"/Kbuild "$KSRC"/Makefile "$WORK/floor/"
patch -s -d "$WORK/floor" -p1 <"$HERE/bench-floor.patch" ||
	die "tests/bench-floor.patch no longer applies"
make -s -C "/usr/lib/modules/$KVER/build" M="$WORK/floor" modules \
	>"$WORK/floor.log" 2>&1 || { cat "$WORK/floor.log"; die "floor build failed"; }
if grep -E 'warning|error' "$WORK/floor.log"; then
	die "floor build printed warnings"
fi

INITRD_ROOT="$WORK/root"
rm -rf "$INITRD_ROOT"
mkdir -p "$INITRD_ROOT"/{bin,proc,sys,dev,tmp,lxbsm/mod}
cp /bin/busybox "$INITRD_ROOT/bin/busybox"
cp "$HERE/guest/init" "$INITRD_ROOT/init"
chmod 755 "$INITRD_ROOT/init"
cp "$WORK/mod/lxbsm.ko" "$INITRD_ROOT/lxbsm/"
gcc -static -O2 -Wall -Werror -o "$INITRD_ROOT/lxbsm/workload" "$HERE/workload.c"
gcc -static -O2 -Wall -Werror -o "$INITRD_ROOT/lxbsm/lxbsmcat" "$KSRC/tools/lxbsmcat.c"
gcc -static -O2 -Wall -Werror -o "$INITRD_ROOT/lxbsm/netblock" "$HERE/netblock.c"
gcc -static -O2 -Wall -Werror -o "$INITRD_ROOT/lxbsm/devperm" "$HERE/devperm.c"
gcc -static -O2 -Wall -Werror -o "$INITRD_ROOT/lxbsm/apprec" "$HERE/apprec.c"
gcc -static -O2 -Wall -Werror -o "$INITRD_ROOT/lxbsm/session" "$HERE/session.c"
gcc -static -O2 -Wall -Werror -o "$INITRD_ROOT/lxbsm/auditnl" "$HERE/auditnl.c"
# lxbsmd, the reader of phases 1-3, with the shared libraries it links
# (the loader included) at the paths it asks for them.
(cd "$ROOT" && cargo build -q --release -p lxbsmd --bin lxbsmd --bin lxbsm-submit) ||
	die "lxbsmd build failed"
cp "$TARGET/release/lxbsmd" "$TARGET/release/lxbsm-submit" "$INITRD_ROOT/lxbsm/"
for lib in $(ldd "$TARGET/release/lxbsmd" | grep -o '/[^ ]*'); do
	mkdir -p "$INITRD_ROOT$(dirname "$lib")"
	cp -L "$lib" "$INITRD_ROOT$lib"
done
for m in virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev \
	 virtio_pci virtio_blk loop; do
	f=$(find "/usr/lib/modules/$KVER/kernel" -name "$m.ko*" | head -1)
	[ -n "$f" ] || die "module $m not found"
	case "$f" in
	*.ko) cp "$f" "$INITRD_ROOT/lxbsm/mod/$m.ko" ;;
	*.ko.xz) xz -dc "$f" >"$INITRD_ROOT/lxbsm/mod/$m.ko" ;;
	*.ko.zst) zstd -qdc "$f" >"$INITRD_ROOT/lxbsm/mod/$m.ko" ;;
	*) die "cannot unpack $f" ;;
	esac
done
STRESS_PROCS=${STRESS_PROCS:-4}
STRESS_ROUNDS=${STRESS_ROUNDS:-15000}
cat >"$INITRD_ROOT/lxbsm/params" <<EOF
STRESS_PROCS=$STRESS_PROCS
STRESS_ROUNDS=$STRESS_ROUNDS
STRESS_QLIMIT=${STRESS_QLIMIT:-262144}
BLOCK_QLIMIT=${BLOCK_QLIMIT:-65536}
BLOCK_ROUNDS=${BLOCK_ROUNDS:-3000}
DETACH_FLIPS=${DETACH_FLIPS:-50}
BENCH_ROUNDS=${BENCH_ROUNDS:-9}
BENCH_open=${BENCH_OPEN:-3000}
BENCH_fork=${BENCH_FORK:-100}
BENCH_exec=${BENCH_EXEC:-50}
BENCH_recv=${BENCH_RECV:-3000}
BENCH_RULES=${BENCH_RULES:-10000}
EOF
(cd "$INITRD_ROOT" && find . | cpio -o -H newc --quiet) >"$WORK/initrd.cpio"
rm -f "$WORK/disk.img"
truncate -s 512M "$WORK/disk.img"
T_BUILD=$(date +%s)
say "initramfs packed ($(du -h "$WORK/initrd.cpio" | cut -f1))"

# --- 3. boot -----------------------------------------------------------------
say "booting under qemu (TCG, 2 vCPUs)"
# thread=single: the vCPUs take turns on one host thread.  With
# thread=multi, a tracepoint switched on or off (lxbsm attaches sys_enter and
# sys_exit only while something can be selected) while the other vCPU makes
# system calls hangs the guest: qemu keeps running a translated copy of the
# patched instruction that still holds the int3 (see the README's Limits).
set +e
timeout 1200 qemu-system-x86_64 -accel tcg,thread=single -smp 2 -m 1G \
	-nographic -no-reboot \
	-kernel "/boot/vmlinuz-$KVER" -initrd "$WORK/initrd.cpio" \
	-append "console=ttyS0 panic=-1 panic_on_warn=1 oops=panic loglevel=4" \
	-drive file="$WORK/disk.img",format=raw,if=virtio \
	</dev/null >"$WORK/console.log" 2>&1
QRC=$?
set -e
T_BOOT=$(date +%s)
grep 'LXBSM-E2E:' "$WORK/console.log" || true
if ! grep -q 'LXBSM-E2E: GUEST-DONE' "$WORK/console.log"; then
	tail -60 "$WORK/console.log"
	FAILED=1
	die "the guest did not finish (qemu exit $QRC); console in $WORK/console.log"
fi
# a reused work directory must not add an earlier run's trails to this one's
rm -rf "$WORK/out"
mkdir -p "$WORK/out"
tar -xf "$WORK/disk.img" -C "$WORK/out"

# --- 4. check ------------------------------------------------------------------
(cd "$ROOT" && cargo build -q --release -p bsm-reader --bin praudit --bin auditreduce --bin bsmreport)
PRAUDIT="$TARGET/release/praudit"
AUDITREDUCE="$TARGET/release/auditreduce"
BSMREPORT="$TARGET/release/bsmreport"
. "$HERE/e2e-checks.sh"
run_checks "$WORK/out" "$WORK/console.log"

T_END=$(date +%s)
say "time: apt $((T_APT - T0)) s, build $((T_BUILD - T_APT)) s, qemu $((T_BOOT - T_BUILD)) s, checks $((T_END - T_BOOT)) s, total $((T_END - T0)) s"
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
