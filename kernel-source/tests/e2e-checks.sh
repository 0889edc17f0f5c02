# SPDX-License-Identifier: GPL-2.0
# Sourced by qemu-e2e.sh (or by hand: PRAUDIT=... ; . e2e-checks.sh;
# run_checks DIR [CONSOLE]): checks what the guest left in DIR with our
# praudit.  Counts into PASSED and FAILED.

ok() {
	PASSED=$((PASSED + 1))
	echo "  ok   $*"
}
bad() {
	FAILED=$((FAILED + 1))
	echo "  FAIL $*"
}

# has DESC EVENT PATTERN...: some record of EVENT matches every PATTERN
# (fixed strings, in the record as `praudit -n -l -s` prints it).
has() {
	local desc=$1 event=$2 lines
	shift 2
	lines=$(grep -F "11,$event,0," "$F" || true)
	for p in "$@"; do
		lines=$(printf '%s\n' "$lines" | grep -F -- "$p" || true)
	done
	if [ -n "$lines" ]; then
		ok "$desc"
	else
		bad "$desc: no $event record with: $*"
	fi
}

hasnt() {
	local desc=$1 pattern=$2
	if grep -q -F -- "$pattern" "$F"; then
		bad "$desc: found $pattern"
	else
		ok "$desc"
	fi
}

stat_of() { sed -n "s/^$2=//p" "$1"; }

# praudit must read a whole trail with no damage and no complaint.
check_trail() {
	local trail=$1 txt=$2
	if "$PRAUDIT" -n -l -s "$trail" >"$txt" 2>"$txt.err" && [ ! -s "$txt.err" ]; then
		ok "praudit -n reads $(basename "$trail") cleanly ($(wc -c <"$trail") bytes)"
	else
		bad "praudit -n on $(basename "$trail"): $(head -3 "$txt.err")"
	fi
}

run_checks() {
	local out=$1 console=${2:-}
	local n records drops lost pending notices

	echo "checks:"
	if [ -n "$console" ]; then
		for m in "module loaded" "functional phase done, module unloaded" \
			 "module reloaded" "stress phase done, module unloaded" \
			 "block phase done, module unloaded" \
			 "bench phase done" "GUEST-DONE"; do
			if grep -q "LXBSM-E2E: $m" "$console"; then
				ok "guest: $m"
			else
				bad "guest: no \"$m\""
			fi
		done
		if grep -E -q 'Oops|WARNING:|BUG:|Call Trace|Kernel panic' "$console"; then
			bad "kernel oops/warning on the console"
		else
			ok "no oops, WARN or panic on the console"
		fi
	fi
	if [ "$(cat "$out/panic_on_warn" 2>/dev/null)" = 1 ]; then
		ok "the guest ran with panic_on_warn=1"
	else
		bad "panic_on_warn was not 1"
	fi

	# --- the functional trail: every event family -----------------------
	F=$out/functional.txt
	check_trail "$out/functional.bsm" "$F"
	n=$(grep -c '^header' "$F" || true)
	records=$(stat_of "$out/functional.stats" records)
	if [ "$n" = "$records" ] && [ "$(stat_of "$out/functional.stats" drops)" = 0 ]; then
		ok "functional: $n records in the trail = $records the device counted, no drops"
	else
		bad "functional: trail has $n records, device counted $records"
	fi

	has "exec: path, attr and args" AUE_EXECVE 'path,/lxbsm/workload,attribute,100755' \
		'exec arg,/lxbsm/workload,child-exec,alpha,beta,' 'return,success,0'
	has "failed exec: path, args, ENOENT" AUE_EXECVE 'path,/nonexistent/prog' \
		'exec arg,/nonexistent/prog,x' 'return,failure : No such file or directory'
	has "fork: child PID" AUE_FORK 'child PID'
	has "exit: exit token" AUE_EXIT 'exit,'
	has "kill: signal and target process" AUE_KILL 'argument,2,0xf,signal,process_ex'
	has "ptrace: request" AUE_PTRACE 'argument,1,0x0,request'
	has "openat O_RDWR|O_CREAT|O_TRUNC -> AUE_OPENAT_RWTC, path, attr" AUE_OPENAT_RWTC \
		'argument,2,0x242,flags' 'path,/tmp/lxdir/created.txt,attribute,100600'
	has "openat O_WRONLY|O_CREAT -> AUE_OPENAT_WC" AUE_OPENAT_WC 'path,/tmp/lxdir/created.txt'
	has "open O_RDONLY -> AUE_OPEN_R" AUE_OPEN_R 'path,/tmp/lxdir/created.txt' 'return,success'
	has "openat2 O_RDONLY -> AUE_OPENAT_R" AUE_OPENAT_R 'path,/tmp/lxdir/created.txt' 'return,success'
	has "relative path made absolute -> AUE_OPENAT_RWC" AUE_OPENAT_RWC 'path,/tmp/lxdir/relative.txt'
	has "failed open: ENAMETOOLONG as BSM errno 78" AUE_OPENAT_R 'path,/tmp/lxdir/nnnn' \
		'return,failure : File name too long,4294967295'
	has "failed open: ENOENT" AUE_OPEN_R 'path,/nonexistent/file' \
		'return,failure : No such file or directory'
	has "close: fd, path and attr" AUE_CLOSE 'path,/tmp/lxdir/created.txt,attribute,100600'
	has "mkdir: mode and path" AUE_MKDIR 'argument,2,0x1ed,mode,path,/tmp/lxdir,'
	has "chmod: mode and path" AUE_CHMOD 'argument,2,0x1a0,new file mode,path,/tmp/lxdir/created.txt'
	has "chown: uid, gid and path" AUE_CHOWN 'argument,2,0x3e8,new file uid,argument,3,0x3e8,new file gid,path,/tmp/lxdir/created.txt'
	has "link: both paths" AUE_LINK 'path,/tmp/lxdir/created.txt,path,/tmp/lxdir/hardlink.txt'
	has "symlink: target and path" AUE_SYMLINK 'text,/tmp/lxdir/created.txt,path,/tmp/lxdir/symlink.txt'
	has "rename: both paths" AUE_RENAME 'path,/tmp/lxdir/created.txt,path,/tmp/lxdir/renamed.txt'
	has "unlink: path" AUE_UNLINK 'path,/tmp/lxdir/renamed.txt,return,success'
	has "rmdir: path" AUE_RMDIR 'path,/tmp/lxdir,return,success'
	has "mount: flags, path, type" AUE_MOUNT 'path,/tmp/mnt,text,tmpfs,text,lxbsmtmp'
	has "umount2: path" AUE_UMOUNT2 'path,/tmp/mnt'
	has "finit_module: path of the module" AUE_MODLOAD 'path,/lxbsm/mod/loop.ko'
	has "delete_module: name" AUE_MODUNLOAD 'text,loop'
	has "socket: BSM domain PF_INET and type SOCK_STREAM (2)" AUE_SOCKET \
		'argument,1,0x2,domain,argument,2,0x2,type'
	has "socket: BSM domain PF_INET6 (26)" AUE_SOCKET 'argument,1,0x1a,domain'
	has "bind: sockaddr and socket" AUE_BIND 'socket-inet,2,5555,127.0.0.1' 'socket,0x2,0x2,0x15b3,127.0.0.1'
	has "listen: backlog and socket" AUE_LISTEN 'argument,2,0x4,backlog,socket,0x2,0x2,0x15b3,127.0.0.1'
	has "connect: peer address and port over loopback" AUE_CONNECT \
		'socket-inet,2,5555,127.0.0.1,socket,0x2,0x2,' ',127.0.0.1,0x15b3,127.0.0.1,return,success'
	has "accept: local and peer address" AUE_ACCEPT 'socket,0x2,0x2,0x15b3,127.0.0.1,'
	has "sendto: socket" AUE_SENDTO ',127.0.0.1,0x15b3,127.0.0.1,return,success,5'
	has "recvfrom: socket" AUE_RECVFROM 'socket,0x2,0x2,0x15b3,127.0.0.1,'
	has "IPv6 connect: sock_inet128 and socket_ex" AUE_CONNECT 'socket-inet6,26,5556,::1,socket,0x1a,0x2,'
	has "IPv6 accept4" AUE_ACCEPT 'socket,0x1a,0x2,0x15b4,::1,'

	# the session: loginuid written by the process that accepted the
	# connection; its terminal is the connecting client's address and port
	local cport
	cport=$(grep -F '11,AUE_CONNECT,0,' "$F" | grep -o 'socket,0x2,0x2,0x[0-9a-f]*,127.0.0.1,0x15b3' |
		head -1 | cut -d, -f4)
	cport=$((cport))
	has "setauid: /proc/self/loginuid write, auid 1000, terminal = client 127.0.0.1:$cport" \
		AUE_SETAUID "subject_ex,1000,0,0,0,0," ",$cport,127.0.0.1,argument,2,0x3e8,setauid"
	has "setuid: uid 1000, subject before the change" AUE_SETUID \
		'subject_ex,1000,0,1000,0,1000,' 'argument,1,0x3e8,uid,return,success'
	has "setresgid: three gids" AUE_SETRESGID 'argument,1,0x3e8,rgid,argument,2,0x3e8,egid,argument,3,0x3e8,sgid'
	has "after su-like setuid: exec with auid 1000, uid 1000, terminal kept" AUE_EXECVE \
		"subject_ex,1000,1000,1000,1000,1000," ",$cport,127.0.0.1,path,/lxbsm/workload" 'session-of-1000'
	has "exec env by policy" AUE_EXECVE 'session-of-1000' 'exec env,'
	hasnt "read, write and lseek deselected by default" '11,AUE_WRITE,0,'
	hasnt "per-auid override: nothing of auid 1000 audited" 'path,/tmp/auid-1000-hidden'
	has "per-auid override: auid 2000 audited as before" AUE_OPENAT_WC \
		'subject_ex,2000,' 'path,/tmp/auid-2000-shown'
	hasnt "failure mask 0: a failed open not audited" 'path,/nonexistent/failure-deselected'
	has "failure mask back: a failed open audited" AUE_OPENAT_R \
		'path,/nonexistent/failure-selected,return,failure : No such file or directory'
	hasnt "the reader's own I/O is not audited" 'path,/out/functional.bsm'

	# --- the stress trail: counts agree, drops reported -------------------
	F=$out/stress.txt
	check_trail "$out/stress.bsm" "$F"
	n=$(grep -c '^header' "$F" || true)
	records=$(stat_of "$out/stress.stats" records)
	drops=$(stat_of "$out/stress.stats" drops)
	pending=$(stat_of "$out/stress.stats" pending_lost)
	notices=$(grep -c '^header,[0-9]*,11,AUE_audit_recovery,' "$F" || true)
	lost=$(grep -o 'text,lxbsm: [0-9]* records lost' "$F" | awk '{s += $2} END {print s + 0}')
	if [ "$n" = "$records" ]; then
		ok "stress: $n records in the trail = $records the device counted"
	else
		bad "stress: trail has $n records, device counted $records"
	fi
	# How many records reach the trail depends on how the reader keeps up;
	# that every open and close is in the trail or counted lost does not.
	local audited=$((n - notices + drops)) opened=$((STRESS_PROCS * STRESS_ROUNDS * 2))
	if [ "$audited" -ge "$opened" ]; then
		ok "stress: $audited records written or counted lost >= $opened opens and closes"
	else
		bad "stress: $audited records written or counted lost < $opened opens and closes"
	fi
	if [ "$((lost + pending))" = "$drops" ] &&
	   [ "$notices" = "$(stat_of "$out/stress.stats" loss_notices)" ]; then
		ok "stress: $drops drops = $lost reported in $notices loss notices + $pending pending"
	else
		bad "stress: $drops drops, but $lost reported in $notices notices + $pending pending"
	fi

	# --- the block policy: no drops, tasks waited ---------------------------
	F=$out/block.txt
	check_trail "$out/block.bsm" "$F"
	n=$(grep -c '^header' "$F" || true)
	records=$(stat_of "$out/block.stats" records)
	drops=$(stat_of "$out/block.stats" drops)
	local blocked
	blocked=$(stat_of "$out/block.stats" blocked)
	if [ "$n" = "$records" ] && [ "$drops" = 0 ] && [ "${blocked:-0}" -gt 0 ]; then
		ok "block policy: $n records = $records counted, 0 drops, tasks waited $blocked times"
	else
		bad "block policy: trail $n, counted $records, drops $drops, waited ${blocked:-0}"
	fi

	# --- overhead (reported, not judged: TCG timing is noisy) -------------
	if [ -f "$out/bench.unloaded" ]; then
		echo "overhead (ns per operation, best of the rounds; ratio to unloaded):"
		for k in open fork exec; do
			awk -v k="$k" '
				FNR == 1 { cfg = FILENAME; sub(/.*bench\./, "", cfg) }
				$1 == "bench" && $2 == k {
					if (!(cfg in best) || $3 < best[cfg]) best[cfg] = $3
				}
				END {
					u = best["unloaded"]
					printf "  %-5s unloaded %9d  selected %9d (%.3f)  deselected %9d (%.3f)\n",
						k, u, best["selected"], best["selected"] / u,
						best["deselected"], best["deselected"] / u
				}' "$out"/bench.unloaded "$out"/bench.selected "$out"/bench.deselected
		done
	fi
}
