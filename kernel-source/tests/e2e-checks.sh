# SPDX-License-Identifier: GPL-2.0
# Sourced by qemu-e2e.sh (or by hand: PRAUDIT=... AUDITREDUCE=... BSMREPORT=... ;
# . e2e-checks.sh; run_checks DIR [CONSOLE]): checks what the guest left in
# DIR (the trail directories lxbsmd wrote, the device's counters, lxbsmd's
# logs) with our praudit and auditreduce.  Counts into PASSED and FAILED.

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

# check_trails DIR TXT: lxbsmd closed every trail of DIR; praudit reads
# each with no damage and no complaint; auditreduce merges them into TXT
# (praudit -n -l -s) with every record.
check_trails() {
	local dir=$1 txt=$2 trail files=0 damaged="" left="" records=0 merged
	for trail in "$dir"/*; do
		case $(basename "$trail") in
		*.not_terminated | *.crash_recovery | current)
			left="$left $(basename "$trail")"
			continue ;;
		esac
		files=$((files + 1))
		if "$PRAUDIT" -n -l -s "$trail" >"$txt.one" 2>"$txt.err" && [ ! -s "$txt.err" ]; then
			records=$((records + $(grep -c '^header' "$txt.one" || true)))
		else
			damaged="$damaged $(basename "$trail"): $(head -3 "$txt.err")"
		fi
	done
	if [ "$files" -gt 0 ] && [ -z "$left" ]; then
		ok "lxbsmd closed its $files trails in $(basename "$dir")"
	else
		bad "$(basename "$dir"): $files closed trails, left open:$left"
	fi
	if [ -z "$damaged" ]; then
		ok "praudit -n reads the $files trails of $(basename "$dir") cleanly ($(cat "$dir"/* | wc -c) bytes)"
	else
		bad "praudit -n on$damaged"
	fi
	"$AUDITREDUCE" "$dir" | "$PRAUDIT" -n -l -s >"$txt" 2>"$txt.err"
	merged=$(grep -c '^header' "$txt" || true)
	if [ ! -s "$txt.err" ] && [ "$merged" = "$records" ]; then
		ok "auditreduce $(basename "$dir") merges all $records records"
	else
		bad "auditreduce $(basename "$dir"): $merged records of $records: $(head -3 "$txt.err")"
	fi
}

# The records the loss notices in $F report lost.
lost_in_notices() {
	grep -o 'text,lxbsm: [0-9]* records lost' "$F" | awk '{s += $2} END {print s + 0}' || true
}

# The records in $F that the device made: all but lxbsmd's own.
device_records() {
	grep '^header' "$F" | grep -c -v ',text,lxbsmd::Audit ' || true
}

# reduced DESC EXPECTED ARGS...: auditreduce --count ARGS selects EXPECTED records.
reduced() {
	local desc=$1 expected=$2 got
	shift 2
	got=$("$AUDITREDUCE" --count "$@" 2>&1 | sed -n 's/^records: //p')
	if [ "$got" = "$expected" ]; then
		ok "auditreduce $desc: $got records"
	else
		bad "auditreduce $desc: ${got:-no count} records, expected $expected"
	fi
}

# logged PHASE TEXT: lxbsmd's log of PHASE has a line with TEXT.
logged() {
	if grep -q -F -- "$2" "$out/lxbsmd-$1.log"; then
		ok "lxbsmd ($1) logged: $2"
	else
		bad "lxbsmd ($1) did not log: $2"
	fi
}

# rule_records ID TEXT IN_TRAIL COUNTED: the trail in $F holds IN_TRAIL
# denial records of rule ID, whose text names TEXT, and the device's count
# for the rule (since it was last added) is COUNTED (-: not checked).
rule_records() {
	local n counted
	n=$(grep -c -F "text,lxbsm: blocked by rule $1: $2," "$F" || true)
	# -: a rule lxbsmd set, which netblock does not list
	counted=$(sed -n "s/^denials $1 //p" "$out/netblock.result")
	[ "$4" = - ] && counted=-
	if [ "$n" = "$3" ] && [ "$counted" = "$4" ]; then
		ok "rule $1 ($2): $n denial records; the device counted $counted"
	else
		bad "rule $1 ($2): $n denial records (expected $3), the device counted ${counted:-none} (expected $4)"
	fi
}

# The block list (phase 1a): the guest's own checks, then the trail.
check_netblock() {
	local out=$1 n
	F=$out/netblock.txt
	check_trails "$out/trails-netblock" "$F"
	guest_checks netblock "$out/netblock.result" 36
	# lxbsmd's block-from: lines, at start and on SIGHUP
	guest_checks "netblock across" "$out/netblock-across.result" 3
	logged netblock "2 block rules (2 added, 0 removed)"
	logged netblock "1 block rules (1 added, 3 removed)"
	logged netblock "0 block rules (0 added, 1 removed)"
	logged netblock "lxbsmd: block rule 104: "
	rule_records 1 127.0.0.8/32 1 -
	# 5 ways to read, twice; the rule removed and added again between, so
	# the device counts the second 5
	rule_records 101 127.0.0.2/32 10 5
	rule_records 102 "::1/128 port 40001" 5 5
	rule_records 103 "127.0.0.5/32 port 40005" 1 1
	has "denied recv: AUE_RECVFROM, fd, both ends, the rule, EACCES" AUE_RECVFROM \
		'argument,1,' ',fd,socket,0x2,0x2,0x1771,127.0.0.1,' \
		',127.0.0.2,text,lxbsm: blocked by rule 101: 127.0.0.2/32,return,failure : Permission denied,4294967295'
	has "denied read: AUE_READ" AUE_READ ',127.0.0.2,text,lxbsm: blocked by rule 101: 127.0.0.2/32,return,failure : Permission denied'
	has "denied readv: AUE_READV" AUE_READV ',127.0.0.2,text,lxbsm: blocked by rule 101: 127.0.0.2/32,return,failure : Permission denied'
	has "denied recvmsg: AUE_RECVMSG" AUE_RECVMSG ',127.0.0.2,text,lxbsm: blocked by rule 101: 127.0.0.2/32,return,failure : Permission denied'
	has "denied IPv6 recv: socket_ex with [::1]:6002 and [::1]:40001" AUE_RECVFROM \
		'socket,0x1a,0x2,0x1772,::1,0x9c41,::1,text,lxbsm: blocked by rule 102: ::1/128 port 40001,return,failure : Permission denied'
	has "dropped datagram: event 43501, owner uid, the source as remote end" 43501 \
		'argument,1,0x0,owner uid,socket,0x2,0x1,0x1773,127.0.0.1,0x9c45,127.0.0.5,text,lxbsm: blocked by rule 103: 127.0.0.5/32 port 40005,return,failure : Permission denied'
	reduced "-m AUE_READV -o sock=127.0.0.2: the 2 denied readv" 2 \
		-m AUE_READV -o sock=127.0.0.2 "$out/trails-netblock"
	reduced "-m AUE_READ -o sock=[::1]:40001: the denied IPv6 read" 1 \
		-m AUE_READ -o 'sock=[::1]:40001' "$out/trails-netblock"
	reduced "-m 43501 -o sock=127.0.0.5:40005: the dropped datagram" 1 \
		-m 43501 -o sock=127.0.0.5:40005 "$out/trails-netblock"
	reduced "-o sock=127.0.0.3: no denial of the allowed peer" 0 \
		-m AUE_READ -o sock=127.0.0.3 "$out/trails-netblock"
	# one record per denied call: sys_exit adds none of its own
	n=$(grep -E '^header,[0-9]+,11,AUE_(RECVMSG|RECVFROM|READ),' "$F" |
		grep -F 'Permission denied' | grep -v -c -F 'text,lxbsm: blocked by rule' || true)
	if [ "$n" = 0 ]; then
		ok "no second record of a denied call"
	else
		bad "$n records of denied calls without the denial's text"
	fi
	if grep -qx 'hooks Y' "$out/netblock.result" &&
		grep -q -F 'text,lxbsm: blocked by rule 104: 127.0.0.6/32,' "$F"; then
		ok "the hooks were on while rules existed; the held connection's reads were denied"
	else
		bad "hold: $(grep hooks "$out/netblock.result"), rule 104 records: $(grep -c 'rule 104' "$F")"
	fi
	if grep -q 'held data arrived' "$out/netblock-hold.result"; then
		ok "module unloaded under denied reads; the held connection's bytes then arrive"
	else
		bad "after unload the held connection got nothing: $(cat "$out/netblock-hold.result")"
	fi
}

# counted DESC N PATTERN: exactly N lines of $F hold PATTERN (a fixed string).
counted() {
	local n
	n=$(grep -c -F -- "$3" "$F" || true)
	if [ "$n" = "$2" ]; then
		ok "$1"
	else
		bad "$1: $n records with $3, expected $2"
	fi
}

# guest_checks NAME FILE MIN: the PASS and FAIL lines of a guest program,
# which exited 0 after at least MIN checks.
guest_checks() {
	local name=$1 file=$2 line n=0
	while IFS= read -r line; do
		case $line in
		"PASS "*) ok "$name: ${line#PASS }"; n=$((n + 1)) ;;
		"FAIL "*) bad "$name: ${line#FAIL }" ;;
		esac
	done < "$file"
	if grep -qx 'exit 0' "$file" && [ "$n" -ge "$3" ]; then
		ok "$name: $n checks in the guest passed"
	else
		bad "$name: $n checks passed; $(grep -v '^PASS' "$file" | tr '\n' ' ')"
	fi
}

# The device (phase 1c): permissions; records from applications.
check_device() {
	local out=$1
	F=$out/device.txt
	check_trails "$out/trails-device" "$F"
	guest_checks devperm "$out/devperm.result" 18
	guest_checks apprec "$out/apprec.result" 17
	has "an application's record is in the trail as written" AUE_login \
		'header,71,11,AUE_login,0,' ',text,apprec: a record from an application,return,success,0,trailer,71,'
	hasnt "no refused record is in the trail" 'apprec refused'
	if grep -qx 'exit 0' "$out/submit.result"; then
		ok "lxbsm-submit exited 0"
	else
		bad "lxbsm-submit: $(cat "$out/submit.result")"
	fi
	has "lxbsm-submit's record: AUE_su, subject, text, failure EPERM" AUE_su \
		',subject_ex,' ',text,lxbsm-submit: su to root,return,failure : Operation not permitted,4294967295'
	check_sessions "$out"
}

# Login, logout and su records (phase 1c, tests/session.c).
check_sessions() {
	local out=$1 port
	if grep -qx 'sshd exit 0' "$out/session.result" &&
		grep -qx 'login exit 0' "$out/session.result" &&
		grep -qx 'telnetd exit 0' "$out/session.result" &&
		grep -qx 'su ok exit 0' "$out/session.result" &&
		grep -qx 'su fail exit 1' "$out/session.result"; then
		ok "the login-like programs ran as planned"
	else
		bad "session programs: $(tr '\n' ' ' < "$out/session.result")"
	fi
	port=$(sed -n 's/^client port //p' "$out/session.result")
	has "sshd's session: AUE_openssh, auid 1000, the client as terminal id" AUE_openssh \
		'subject_ex,1000,0,0,0,0,' ",$port,127.0.0.9,text,lxbsm: login by sshd,return,success,0,"
	has "the session leader's exit: AUE_logout, auid 1000, same terminal" AUE_logout \
		'subject_ex,1000,0,0,0,0,' ",$port,127.0.0.9,text,lxbsm: end of the session (AUE_openssh),exit,"
	has "login: AUE_login, auid 1001, no remote terminal" AUE_login \
		'subject_ex,1001,0,0,0,0,' ',0,0.0.0.0,text,lxbsm: login by login,return,success,0,'
	has "login under in.telnetd: AUE_telnet, auid 1002" AUE_telnet \
		'subject_ex,1002,0,0,0,0,' ',text,lxbsm: login by login,return,success,0,'
	counted "3 logouts: the sshd session, login, the telnet login" 3 ',11,AUE_logout,'
	has "su: AUE_su after its setuid, the new user, the target uid" AUE_su \
		',1000,1000,1000,1000,' 'text,lxbsm: su to uid 1000,argument,1,0x3e8,uid,return,success,0,'
	counted "one AUE_su for su's change of user (its setgid is not one)" 1 'text,lxbsm: su to uid'
	has "a failed su: AUE_su, its exit status, failure" AUE_su \
		'text,lxbsm: su exited with status 1 before changing user,exit,' 'return,failure : Operation not permitted'
	counted "one failed su: the one that forked and succeeded is not one" 1 'before changing user'
}

# One process traced (phase 1d): bsmreport --io on the trail is exactly the
# calls tests/workload.c's trace-io makes, its child's too, nobody else's.
check_trace() {
	local out=$1 traced untraced report want got
	F=$out/trace.txt
	check_trails "$out/trails-trace" "$F"
	read -r _ traced _ untraced < "$out/trace.pids"
	if grep -q "tracing the I/O of pid $traced and its descendants" "$out/lxbsmd-trace.log"; then
		ok "lxbsmd --trace-pid $traced --trace-children: said so"
	else
		bad "lxbsmd did not say it traced $traced"
	fi
	# pid,command,auid,file and the counts, not the times; the rows of the
	# traced process and of its child (the other pid with traced.dat; the
	# trail also holds what insmod and lxbsmcat did before the masks were ex)
	report=$("$BSMREPORT" --io --csv --utc "$out/trails-trace" 2>&1 | cut -d, -f1-11)
	child=$(printf '%s\n' "$report" | grep ',/tmp/trace/traced.dat,' | cut -d, -f1 |
		grep -vx "$traced" | head -1)
	want="$traced,/lxbsm/workload,-1,/tmp/trace/traced.dat,2,3,3,1,2,300,300
$traced,/lxbsm/workload,-1,(total),2,3,3,1,2,300,300"
	got=$(printf '%s\n' "$report" | grep "^$traced,")
	if [ "$got" = "$want" ]; then
		ok "bsmreport --io: the traced process's opens, reads, writes, lseek, closes and bytes, exactly"
	else
		bad "bsmreport --io of the traced process: $(printf '%s' "$report" | tr '\n' ' ')"
	fi
	got=$(printf '%s\n' "$report" | grep "^$child," | cut -d, -f2-)
	want=",-1,/tmp/trace/traced.dat,1,2,0,0,1,300,0
,-1,(total),1,2,0,0,1,300,0"
	if [ -n "$child" ] && [ "$got" = "$want" ]; then
		ok "bsmreport --io: its child's calls ($child, traced as a descendant), exactly"
	else
		bad "bsmreport --io of the child ${child:-(none)}: $(printf '%s' "$got" | tr '\n' ' ')"
	fi
	hasnt "the untraced process's I/O is not recorded (flags ex)" /tmp/untraced/traced.dat
	has "the untraced process's exec is (flags ex)" AUE_EXECVE ",$untraced,"
}

run_checks() {
	local out=$1 console=${2:-}
	local n records drops lost pending notices

	echo "checks:"
	if [ -n "$console" ]; then
		for m in "module loaded" "functional phase done, module unloaded" \
			 "netblock phase done, module unloaded" \
			 "device phase done, module unloaded" \
			 "trace phase done, module unloaded" \
			 "detach phase done, module unloaded" "module reloaded" "stress phase done, module unloaded" \
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

	# the guest's parameters: rounds, queue limits
	. "$out/params"

	check_netblock "$out"
	check_device "$out"
	check_trace "$out"

	# --- the functional trails: every event family -----------------------
	F=$out/functional.txt
	check_trails "$out/trails-functional" "$F"
	n=$(device_records)
	records=$(stat_of "$out/functional.stats" records)
	if [ "$n" = "$records" ] && [ "$(stat_of "$out/functional.stats" drops)" = 0 ]; then
		ok "functional: $n records in the trails = $records the device counted, no drops"
	else
		bad "functional: trails have $n records, device counted $records"
	fi
	n=$(grep -c 'preselection applied' "$out/lxbsmd-functional.log" || true)
	if [ "$n" = 4 ]; then
		ok "lxbsmd applied its configuration at start and on 3 SIGHUPs"
	else
		bad "lxbsmd applied its configuration $n times, not 4"
	fi
	logged functional "lxbsm device: $records records queued since load, 0 dropped"

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
	# the path cache (kept at open, for the fd's close) is only believed
	# for the file it was made for: not after dup2() over the fd
	reduced "-m AUE_CLOSE -o file=dup-a.txt: close(a) and close(b) after dup2(a, b)" 2 \
		-m AUE_CLOSE -o 'file=^/tmp/lxdir/dup-a\.txt$' "$out/trails-functional"
	reduced "-m AUE_CLOSE -o file=dup-b.txt: none, dup2() replaced the file at b" 0 \
		-m AUE_CLOSE -o 'file=^/tmp/lxdir/dup-b\.txt$' "$out/trails-functional"
	# close is recorded at sys_enter when its outcome is certain, else at
	# sys_exit: a bad fd, a table another thread shares (exactly one record)
	has "close of a bad fd: EBADF" AUE_CLOSE 'argument,1,0x270f,fd' \
		'return,failure : Bad file descriptor'
	has "close with the fd table shared: path, attr, success" AUE_CLOSE \
		'path,/tmp/lxdir/threaded.txt,attribute,100600' 'return,success'
	reduced "-m AUE_CLOSE -o file=threaded.txt: one close record" 1 \
		-m AUE_CLOSE -o 'file=^/tmp/lxdir/threaded\.txt$' "$out/trails-functional"
	has "close of an O_PATH fd: path and attr" AUE_CLOSE 'path,/tmp/lxdir,attribute,40755'
	has "mkdir: mode and path" AUE_MKDIR 'argument,2,0x1ed,mode,path,/tmp/lxdir,'
	has "chmod: mode and path" AUE_CHMOD 'argument,2,0x1a0,new file mode,path,/tmp/lxdir/created.txt'
	has "chown: uid, gid and path" AUE_CHOWN 'argument,2,0x3e8,new file uid,argument,3,0x3e8,new file gid,path,/tmp/lxdir/created.txt'
	has "link: both paths" AUE_LINK 'path,/tmp/lxdir/created.txt,path,/tmp/lxdir/hardlink.txt'
	has "symlink: target and path" AUE_SYMLINK 'text,/tmp/lxdir/created.txt,path,/tmp/lxdir/symlink.txt'
	has "rename: both paths" AUE_RENAME 'path,/tmp/lxdir/created.txt,path,/tmp/lxdir/renamed.txt'
	# attr32 of the object after the call (finished on the way to user space)
	has "mkdir: attr of the new directory" AUE_MKDIR 'path,/tmp/lxdir,attribute,40755,0,0,'
	has "chmod: attr with the new mode" AUE_CHMOD 'path,/tmp/lxdir/created.txt,attribute,100640,0,0,'
	has "chown: attr with the new owner" AUE_CHOWN 'path,/tmp/lxdir/created.txt,attribute,100640,1000,1000,'
	has "link: attr of the linked file" AUE_LINK 'path,/tmp/lxdir/hardlink.txt,attribute,100640,1000,1000,'
	has "symlink: attr of the link" AUE_SYMLINK 'path,/tmp/lxdir/symlink.txt,attribute,120777,'
	has "rename: attr of the renamed file" AUE_RENAME 'path,/tmp/lxdir/renamed.txt,attribute,100640,1000,1000,'
	has "execveat: AUE_EXECVEAT when it worked" AUE_EXECVEAT \
		'path,/lxbsm/workload,attribute,100755' 'exec arg,/lxbsm/workload,child-exec,via-execveat,'
	# 32-bit system calls (int $0x80), recorded as the 64-bit ones
	has "ia32 open -> AUE_OPEN_RWC, path, attr" AUE_OPEN_RWC 'path,/tmp/lxdir32/f,attribute,100600,'
	has "ia32 close: path, attr" AUE_CLOSE 'path,/tmp/lxdir32/f,attribute,100600,'
	has "ia32 chown32: ids, path, attr" AUE_CHOWN \
		'argument,2,0x3e8,new file uid,argument,3,0x3e8,new file gid,path,/tmp/lxdir32/f,attribute,100600,1000,1000,'
	has "ia32 16-bit chown: uid 0xffff is -1" AUE_CHOWN \
		'argument,2,0xffffffff,new file uid,argument,3,0x3e9,new file gid,path,/tmp/lxdir32/f,attribute,100600,1000,1001,'
	has "ia32 rename: both paths" AUE_RENAME 'path,/tmp/lxdir32/f,path,/tmp/lxdir32/g,attribute,'
	has "ia32 unlink" AUE_UNLINK 'path,/tmp/lxdir32/g,return,success'
	has "ia32 failed execve: argv of 32-bit pointers" AUE_EXECVE 'path,/nonexistent/prog32' \
		'exec arg,/nonexistent/prog32,x32,'
	has "ia32 socketcall(SYS_SOCKET): a UDP socket" AUE_SOCKET \
		'argument,1,0x2,domain,argument,2,0x1,type,argument,3,0x11,protocol'
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
	hasnt "the reader's own I/O is not audited" 'path,/out/trails-functional'
	# one reader: a second open for reading got EBUSY (the workload
	# checked); a write-only holder of the device is audited
	reduced "-m AUE_OPENAT_R -o file=holder-audited: the device's write-only holder is audited" 1 \
		-m AUE_OPENAT_R -o 'file=^/tmp/holder-audited$' "$out/trails-functional"
	# the path of an open is the opened file's: not the buffer another
	# thread rewrote while the open blocked on a FIFO, which follows as text
	has "open of a FIFO whose buffer was rewritten: the FIFO's path" AUE_OPENAT_R \
		'path,/tmp/fifo-real,attribute,10600,' 'text,given path: /tmp/forged-never-existed' \
		'return,success'
	hasnt "no path token names the rewritten buffer" 'path,/tmp/forged-never-existed'
	has "close of that fd: the FIFO's path" AUE_CLOSE 'path,/tmp/fifo-real,attribute,10600,'
	has "a failed open whose name's page was unmapped: the name, read with faults" \
		AUE_OPENAT_R 'path,/tmp/fifo-eintr,return,failure'
	# io_uring: denied to an audited task, the denial recorded
	if grep -qx 'status 0' "$out/uring.result" && ! grep -qx created "$out/uring.result"; then
		ok "io_uring_setup denied to an audited task; the file it would create is not there"
	else
		bad "io_uring not denied: $(tr '\n' ' ' < "$out/uring.result")"
	fi
	if grep -qx 'gate Y' "$out/uring.result" && grep -qx 'denials 1' "$out/uring.result"; then
		ok "the io_uring gate is on and counted 1 denial"
	else
		bad "io_uring gate: $(tr '\n' ' ' < "$out/uring.result")"
	fi
	has "the denial is recorded: event 43500, its text, EPERM" 43500 \
		'text,lxbsm: io_uring_setup denied: io_uring is not audited' \
		'return,failure : Operation not permitted'
	local trails=$out/trails-functional
	reduced "-m AUE_EXECVE -u 1000: the session's exec, the only one with auid 1000" 1 \
		-m AUE_EXECVE -u 1000 "$trails"
	reduced "-m AUE_EXECVE -o file=^/nonexistent/prog\$: the failed exec" 1 \
		-m AUE_EXECVE -o 'file=^/nonexistent/prog$' "$trails"
	reduced "-u 2000 -o file=auid-2000-shown: its open and close" 2 \
		-u 2000 -o 'file=^/tmp/auid-2000-shown$' "$trails"
	reduced "-o file=auid-1000-hidden: audit_user 1000::all hides it" 0 \
		-o 'file=^/tmp/auid-1000-hidden$' "$trails"

	# --- detach: sys_enter/sys_exit attached only while needed -------------
	F=$out/detach.txt
	check_trails "$out/trails-detach" "$F"
	n=$(device_records)
	records=$(stat_of "$out/detach.stats" records)
	drops=$(stat_of "$out/detach.stats" drops)
	pending=$(stat_of "$out/detach.stats" pending_lost)
	lost=$(lost_in_notices)
	if [ "$n" = "$records" ] && [ "$((lost + pending))" = "$drops" ]; then
		ok "detach: $n records in the trails = $records the device counted, $drops drops all reported"
	else
		bad "detach: trails have $n records, device counted $records, $drops drops, $lost + $pending reported"
	fi
	# sys_probes: 3 both attached, 2 sys_exit alone, 0 none
	local state want
	for want in "loaded 3" "all 3" "masks0 0" "ex 3" "fr 2" "naflags 3" \
		    "after 3" "flipped 3" "quiesced 0" "reattached 3"; do
		state=$(grep "^${want% *} " "$out/detach.probes" | head -1)
		if [ "$state" = "$want" ]; then
			ok "detach: sys_probes ${want% *}: ${want#* }"
		else
			bad "detach: sys_probes ${want% *}: '${state#* }', expected ${want#* }"
		fi
	done
	n=$(sed -n 's/^switches //p' "$out/detach.probes")
	if [ "${n:-0}" -ge "$((DETACH_FLIPS * 4))" ]; then
		ok "detach: the probes switched $n times while 4 processes made system calls on 2 vCPUs"
	else
		bad "detach: the probes switched ${n:-0} times, expected $((DETACH_FLIPS * 4))"
	fi
	local trails=$out/trails-detach
	reduced "-m AUE_OPENAT_R -o file=reader-reuse: a process with a dead reader's pid is audited" 1 \
		-m AUE_OPENAT_R -o 'file=^/tmp/reader-reuse$' "$trails"
	reduced "-o file=detach-before: open and close, all selected" 2 \
		-o 'file=^/tmp/detach-before$' "$trails"
	reduced "-o file=detach-masks0: masks 0, probes detached: nothing" 0 \
		-o 'file=^/tmp/detach-masks0$' "$trails"
	reduced "-o file=detach-ex: exec alone selected: no open or close" 0 \
		-o 'file=^/tmp/detach-ex$' "$trails"
	has "detach: exec alone selected: the exec is recorded" AUE_EXECVE \
		'exec arg,/lxbsm/workload,try-open,/tmp/detach-ex,'
	reduced "-m AUE_OPENAT_R -o file=detach-fr: fr alone: the open, sys_exit alone attached" 1 \
		-m AUE_OPENAT_R -o 'file=^/tmp/detach-fr$' "$trails"
	reduced "-o file=detach-fr: fr alone: no close" 1 \
		-o 'file=^/tmp/detach-fr$' "$trails"
	reduced "-o file=detach-naflags: a per-auid override alone keeps them attached: open and close" 2 \
		-o 'file=^/tmp/detach-naflags$' "$trails"
	reduced "-o file=detach-after: selected again: open and close" 2 \
		-o 'file=^/tmp/detach-after$' "$trails"

	# --- the stress trail: counts agree, drops reported -------------------
	F=$out/stress.txt
	check_trails "$out/trails-stress" "$F"
	n=$(device_records)
	records=$(stat_of "$out/stress.stats" records)
	drops=$(stat_of "$out/stress.stats" drops)
	pending=$(stat_of "$out/stress.stats" pending_lost)
	notices=$(grep -c '^header,[0-9]*,11,AUE_audit_recovery,' "$F" || true)
	lost=$(lost_in_notices)
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
	reduced "-m AUE_audit_recovery: the device's loss notices" "$notices" \
		-m AUE_audit_recovery "$out/trails-stress"
	if [ "$(stat_of "$out/stress.stats" policy)" = 0x0 ] &&
	   [ "$(stat_of "$out/stress.stats" queue_limit)" = "$STRESS_QLIMIT" ]; then
		ok "stress: lxbsmd set policy cnt (drop) and queue limit $STRESS_QLIMIT"
	else
		bad "stress: policy $(stat_of "$out/stress.stats" policy), queue limit $(stat_of "$out/stress.stats" queue_limit)"
	fi
	logged stress "lxbsm device: $records records queued since load, $drops dropped"

	# --- the block policy: tasks waited, nothing lost that could wait -----
	# An exiting task cannot wait: its exit record is dropped (and
	# reported) if the queue is full just then.  Every other record is in.
	F=$out/block.txt
	check_trails "$out/trails-block" "$F"
	n=$(device_records)
	records=$(stat_of "$out/block.stats" records)
	drops=$(stat_of "$out/block.stats" drops)
	local blocked pid exits_missing=0
	blocked=$(stat_of "$out/block.stats" blocked)
	for pid in $(grep -o 'path,/tmp/stress\.[0-9]*' "$F" | sort -u | sed 's/.*\.//'); do
		grep -q "^header,[0-9]*,11,AUE_EXIT,0,.*,subject_ex,[^,]*,[^,]*,[^,]*,[^,]*,[^,]*,$pid," "$F" ||
			exits_missing=$((exits_missing + 1))
	done
	if [ "$n" = "$records" ] && [ "${blocked:-0}" -gt 0 ] &&
	   [ "$drops" = "$exits_missing" ] &&
	   [ "$(($(lost_in_notices) + $(stat_of "$out/block.stats" pending_lost)))" = "$drops" ]; then
		ok "block policy: $n records = $records counted, tasks waited $blocked times, $drops drops = the workload's exit records that found the queue full, reported"
	else
		bad "block policy: trail $n, counted $records, drops $drops ($exits_missing workload exits missing), waited ${blocked:-0}"
	fi
	if [ "$(stat_of "$out/block.stats" policy)" = 0x1 ] &&
	   [ "$(stat_of "$out/block.stats" queue_limit)" = "$BLOCK_QLIMIT" ]; then
		ok "block: lxbsmd set the block policy (no cnt) and queue limit $BLOCK_QLIMIT"
	else
		bad "block: policy $(stat_of "$out/block.stats" policy), queue limit $(stat_of "$out/block.stats" queue_limit)"
	fi
	# nothing dropped: every open, close and unlink of the stress files
	reduced "-o file=/tmp/stress.*: $STRESS_PROCS × ($BLOCK_ROUNDS opens + closes + 1 unlink)" \
		"$((STRESS_PROCS * (2 * BLOCK_ROUNDS + 1)))" -o 'file=^/tmp/stress\.[0-9]+$' "$out/trails-block"
	reduced "-m AUE_CLOSE -o file=/tmp/stress.*: $STRESS_PROCS × $BLOCK_ROUNDS closes" \
		"$((STRESS_PROCS * BLOCK_ROUNDS))" -m AUE_CLOSE -o 'file=^/tmp/stress\.[0-9]+$' "$out/trails-block"

	# --- overhead (reported, not judged: TCG timing is noisy) -------------
	report_overhead "$out"
}

# report_overhead DIR: the ratios of DIR/bench.{unloaded,selected,partial,deselected}
# (partial: exec alone selected, the probes attached; may be missing) and
# of Linux's own audit, bench.audit-{selected,partial} (may be missing)
# (lines "bench KIND MEDIAN_NS FASTEST_NS", one per round).
report_overhead() {
	local out=$1
	if [ -f "$out/bench.unloaded" ]; then
		# Each round ran selected, partial, deselected and unloaded one after
		# the other; a run's figure is its fastest batch (workload.c
		# says why).  Shown: the median over the rounds of the ns per
		# operation, and of the rounds' ratios to unloaded, with the
		# ratios' spread [min-max].
		echo "overhead ($(grep -c '^bench open' "$out/bench.unloaded") rounds; ns per operation, fastest batch, median of the rounds;" \
			"ratio to unloaded, median of the rounds' ratios [min-max];" \
			"partial: exec alone selected, probes attached; deselected: masks 0, probes detached;" \
			"audit-selected, audit-partial: Linux audit with rules for the same calls, or execve alone," \
			"drained over netlink; cost: lxbsm's added time over Linux audit's, selected, median of the rounds;" \
			"block-empty, block-one, block-rules: recv with no block rule, one, and ${BENCH_RULES:-10000} at 13 prefix lengths, none holding the peer):"
		for k in open fork exec recv; do
			grep -q "^bench $k " "$out/bench.unloaded" || continue
			awk -v k="$k" '
				function median(a, n,   i, j, t) {
					for (i = 2; i <= n; i++)
						for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
							t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
						}
					return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
				}
				function show(c,   i, m, r, lo, hi) {
					for (i = 1; i <= n[c]; i++) {
						m[i] = ns[c, i]
						r[i] = ns[c, i] / ns["unloaded", i]
						if (i == 1 || r[i] < lo) lo = r[i]
						if (i == 1 || r[i] > hi) hi = r[i]
					}
					printf "  %s %9d x%.3f [%.2f-%.2f]", c, median(m, n[c]),
						median(r, n[c]), lo, hi
				}
				FNR == 1 { cfg = FILENAME; sub(/.*bench\./, "", cfg) }
				$1 == "bench" && $2 == k { ns[cfg, ++n[cfg]] = $4 }
				END {
					for (i = 1; i <= n["unloaded"]; i++) u[i] = ns["unloaded", i]
					printf "  %-5s unloaded %9d", k, median(u, n["unloaded"])
					if (n["selected"]) show("selected")
					if (n["partial"]) show("partial")
					if (n["deselected"]) show("deselected")
					if (n["block-empty"]) show("block-empty")
					if (n["block-one"]) show("block-one")
					if (n["block-rules"]) show("block-rules")
					if (n["audit-selected"]) {
						show("audit-selected")
						show("audit-partial")
						for (i = 1; i <= n["audit-selected"]; i++)
							c[i] = (ns["selected", i] - ns["unloaded", i]) / (ns["audit-selected", i] - ns["unloaded", i])
						printf "  cost x%.2f", median(c, n["audit-selected"])
					}
					printf "\n"
				}' "$out"/bench.unloaded "$out"/bench.selected \
				$([ -f "$out/bench.partial" ] && echo "$out/bench.partial") \
				"$out"/bench.deselected \
				$([ -f "$out/bench.audit-selected" ] && echo "$out/bench.audit-selected") \
				$([ -f "$out/bench.audit-partial" ] && echo "$out/bench.audit-partial") \
				$([ -f "$out/bench.block-empty" ] && echo "$out/bench.block-empty") \
				$([ -f "$out/bench.block-one" ] && echo "$out/bench.block-one") \
				$([ -f "$out/bench.block-rules" ] && echo "$out/bench.block-rules")
		done
	fi
}
