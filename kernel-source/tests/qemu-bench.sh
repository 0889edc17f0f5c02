#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# qemu-bench.sh - the overhead phase of qemu-e2e.sh alone, in a guest whose
# clock counts instructions: qemu -icount shift=3,sleep=off makes each guest
# instruction last 8 ns, so the host's load stays out of the figures and
# they repeat to within a percent or so.  One vCPU: the loops and the
# reader share it, so the reader's work counts.  What an instruction count does
# not show (an emulated HPET read, cache misses) the wall-clock figures of
# qemu-e2e.sh do.  Run qemu-e2e.sh once first (it installs the packages);
# then, as root:
#
#   kernel-source/tests/qemu-bench.sh
#
# BENCH_ROUNDS, BENCH_OPEN, BENCH_FORK, BENCH_EXEC, BENCH_RECV, BENCH_RULES
# as for qemu-e2e.sh;
# KEEP=1 keeps the work directory.  BENCH_FLOOR=1 measures the floor of
# this design instead: the module with bench-floor.patch applied, whose
# sys_exit probe queues one fixed 130-byte record for each openat and
# close (nothing looked up, nothing built; close's sys_enter does nothing),
# so that its "selected" open+close column is the price of the tracepoints,
# the queue and the reader alone.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
KSRC=$(dirname "$HERE")
WORK=$(mktemp -d /tmp/lxbsm-bench.XXXXXX)
trap '[ "${KEEP:-0}" = 1 ] && echo "work directory kept: $WORK" || rm -rf "$WORK"' EXIT

KVER=$(dpkg-query -W -f='${Depends}' linux-image-amd64 |
	grep -o 'linux-image-[^ ,]*' | head -1 | sed 's/^linux-image-//')
[ -e "/usr/lib/modules/$KVER/build" ] || { echo "run qemu-e2e.sh first" >&2; exit 1; }

mkdir -p "$WORK/mod" "$WORK/root"/{bin,proc,sys,dev,tmp,lxbsm}
cp "$KSRC"/*.c "$KSRC"/*.h "$KSRC"/Kbuild "$KSRC"/Makefile "$WORK/mod/"
if [ "${BENCH_FLOOR:-0}" = 1 ]; then
	patch -s -d "$WORK/mod" -p1 <"$HERE/bench-floor.patch"
	echo "BENCH_FLOOR=1: open+close \"selected\" queues a fixed record, builds none"
fi
make -s -C "/usr/lib/modules/$KVER/build" M="$WORK/mod" modules >"$WORK/build.log" 2>&1 ||
	{ cat "$WORK/build.log"; exit 1; }
cp "$WORK/mod/lxbsm.ko" "$WORK/root/lxbsm/"
cp /bin/busybox "$WORK/root/bin/"
gcc -static -O2 -Wall -Werror -o "$WORK/root/lxbsm/workload" "$HERE/workload.c"
gcc -static -O2 -Wall -Werror -o "$WORK/root/lxbsm/lxbsmcat" "$KSRC/tools/lxbsmcat.c"
gcc -static -O2 -Wall -Werror -o "$WORK/root/lxbsm/auditnl" "$HERE/auditnl.c"
gcc -static -O2 -Wall -Werror -o "$WORK/root/lxbsm/netblock" "$HERE/netblock.c"

# The guest runs section 4 of guest/init as it is, then prints the results.
{
	cat <<EOF
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
mkdir -p /out
mark() { echo "LXBSM-BENCH: \$*"; }
# one vCPU (icount hangs an SMP boot here): the loops and the reader share it
BENCH_LOOP_CPUS=1
BENCH_READER_CPUS=1
fail() { mark "FAIL: \$*"; poweroff -f; }
BENCH_ROUNDS=${BENCH_ROUNDS:-3}
BENCH_open=${BENCH_OPEN:-3000}
BENCH_fork=${BENCH_FORK:-100}
BENCH_exec=${BENCH_EXEC:-50}
BENCH_recv=${BENCH_RECV:-3000}
BENCH_RULES=${BENCH_RULES:-10000}
EOF
	sed -n '/^# 4\. overhead/,/^mark "bench phase done"/p' "$HERE/guest/init"
	cat <<'EOF'
for f in unloaded selected partial deselected audit-selected audit-partial block-empty block-one block-rules; do
	sed "s/^/LXBSM-BENCH: $f /" /out/bench.$f
done
poweroff -f
EOF
} >"$WORK/root/init"
chmod 755 "$WORK/root/init"
(cd "$WORK/root" && find . | cpio -o -H newc --quiet) >"$WORK/initrd.cpio"

timeout ${BENCH_TIMEOUT:-1200} qemu-system-x86_64 -accel tcg -icount shift=3,sleep=off -smp 1 \
	-m 1G -nographic -no-reboot \
	-kernel "/boot/vmlinuz-$KVER" -initrd "$WORK/initrd.cpio" \
	-append "console=ttyS0 panic=-1 panic_on_warn=1 oops=panic loglevel=4" \
	</dev/null >"$WORK/console.log" 2>&1 || true
if grep -a 'LXBSM-BENCH: FAIL' "$WORK/console.log" ||
   ! grep -a -q 'LXBSM-BENCH: bench phase done' "$WORK/console.log"; then
	tail -30 "$WORK/console.log"
	exit 1
fi
mkdir -p "$WORK/out"
for f in unloaded selected partial deselected audit-selected audit-partial block-empty block-one block-rules; do
	grep -a "^LXBSM-BENCH: $f bench " "$WORK/console.log" | cut -d' ' -f3- |
		tr -d '\r' >"$WORK/out/bench.$f"
done
echo "guest time = instructions x 8 ns (-icount shift=3)"
. "$HERE/e2e-checks.sh"
report_overhead "$WORK/out"
