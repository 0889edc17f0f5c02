// SPDX-License-Identifier: GPL-2.0
/*
 * lxbsm_syscalls.c - which handler each system call has, by 64-bit number;
 * the 32-bit calls as the 64-bit ones; the bitmaps the probes test first,
 * recomputed when the selection changes.
 */
#include <linux/kernel.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/fs.h>
#include <linux/file.h>
#include <linux/fdtable.h>
#include <linux/fcntl.h>
#include <linux/binfmts.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task_stack.h>
#include <linux/pid.h>
#include <linux/net.h>
#include <linux/socket.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/uaccess.h>
#include <linux/compat.h>
#include <linux/magic.h>
#include <linux/audit.h>
#include <linux/cred.h>
#include <linux/ptrace.h>
#include <linux/namei.h>
#include <linux/task_work.h>
#include <linux/wait.h>
#include <linux/net.h>
#include <net/sock.h>
#include <net/inet_sock.h>
#include <asm/syscall.h>
#include <asm/unistd.h>
#include "lxbsm_ev.h"

#define SYS(nr, fn, e, n) [nr] = { .h = fn, .ev = e, .nev = n }
/* a set*uid call: its own event, and su's */
#define SYS_UID(nr, e) [nr] = { .h = lx_h_cred, .ev = e, .nev = 1, \
				.also = LXE_SU, .nalso = 1 }

const struct lx_sys lx_exit_sys[LX_NR] = {
	SYS(__NR_fork, lx_h_fork, LXE_FORK, 3),
	SYS(__NR_vfork, lx_h_fork, LXE_FORK, 3),
	SYS(__NR_clone, lx_h_fork, LXE_FORK, 3),
	SYS(__NR_clone3, lx_h_fork, LXE_FORK, 3),
	SYS(__NR_execve, lx_h_execve, LXE_EXECVE, 1),
	SYS(__NR_execveat, lx_h_execve, LXE_EXECVE, 2),	/* takes enter's note */
	SYS(__NR_kill, lx_h_kill, LXE_KILL, 1),
	SYS(__NR_tkill, lx_h_kill, LXE_KILL, 1),
	SYS(__NR_tgkill, lx_h_kill, LXE_KILL, 1),
	SYS(__NR_ptrace, lx_h_ptrace, LXE_PTRACE, 1),
	SYS(__NR_open, lx_h_open, LXE_OPEN_R, 12),
	SYS(__NR_openat, lx_h_open, LXE_OPENAT_R, 12),
	SYS(__NR_openat2, lx_h_open, LXE_OPENAT_R, 12),
	SYS(__NR_creat, lx_h_open, LXE_CREAT, 1),
	SYS(__NR_close, lx_h_close, LXE_CLOSE, 1),
	SYS(__NR_read, lx_h_rw, LXE_READ, 1),
	/* write, setauid and the logins (the enum keeps them together) */
	SYS(__NR_write, lx_h_rw, LXE_WRITE, 6),
	SYS(__NR_lseek, lx_h_rw, LXE_LSEEK, 1),
	SYS(__NR_unlink, lx_h_path1, LXE_UNLINK, 1),
	SYS(__NR_unlinkat, lx_h_path1, LXE_UNLINKAT, 1),
	SYS(__NR_rmdir, lx_h_path1, LXE_RMDIR, 1),
	SYS(__NR_rename, lx_h_path2, LXE_RENAME, 1),
	SYS(__NR_renameat, lx_h_path2, LXE_RENAMEAT, 1),
	SYS(__NR_renameat2, lx_h_path2, LXE_RENAMEAT, 1),
	SYS(__NR_link, lx_h_path2, LXE_LINK, 1),
	SYS(__NR_linkat, lx_h_path2, LXE_LINKAT, 1),
	SYS(__NR_symlink, lx_h_symlink, LXE_SYMLINK, 1),
	SYS(__NR_symlinkat, lx_h_symlink, LXE_SYMLINKAT, 1),
	SYS(__NR_mkdir, lx_h_mkdir, LXE_MKDIR, 1),
	SYS(__NR_mkdirat, lx_h_mkdir, LXE_MKDIRAT, 1),
	SYS(__NR_chmod, lx_h_chmod, LXE_CHMOD, 1),
	SYS(__NR_fchmod, lx_h_chmod, LXE_FCHMOD, 1),
	SYS(__NR_fchmodat, lx_h_chmod, LXE_FCHMODAT, 1),
	SYS(__NR_chown, lx_h_chown, LXE_CHOWN, 1),
	SYS(__NR_lchown, lx_h_chown, LXE_LCHOWN, 1),
	SYS(__NR_fchown, lx_h_chown, LXE_FCHOWN, 1),
	SYS(__NR_fchownat, lx_h_chown, LXE_FCHOWNAT, 1),
	SYS_UID(__NR_setuid, LXE_SETUID),
	SYS(__NR_setgid, lx_h_cred, LXE_SETGID, 1),
	SYS_UID(__NR_setreuid, LXE_SETREUID),
	SYS(__NR_setregid, lx_h_cred, LXE_SETREGID, 1),
	SYS_UID(__NR_setresuid, LXE_SETRESUID),
	SYS(__NR_setresgid, lx_h_cred, LXE_SETRESGID, 1),
	SYS(__NR_mount, lx_h_mount, LXE_MOUNT, 1),
	SYS(__NR_umount2, lx_h_umount, LXE_UMOUNT2, 1),
	SYS(__NR_init_module, lx_h_module, LXE_MODLOAD, 1),
	SYS(__NR_finit_module, lx_h_module, LXE_MODLOAD, 1),
	SYS(__NR_delete_module, lx_h_module, LXE_MODUNLOAD, 1),
	SYS(__NR_socket, lx_h_socket, LXE_SOCKET, 1),
	SYS(__NR_bind, lx_h_sockaddr, LXE_BIND, 1),
	SYS(__NR_connect, lx_h_sockaddr, LXE_CONNECT, 1),
	SYS(__NR_listen, lx_h_listen, LXE_LISTEN, 1),
	[__NR_accept] = { .h = lx_h_accept, .ev = LXE_ACCEPT, .nev = 1,
			  .always = true },
	[__NR_accept4] = { .h = lx_h_accept, .ev = LXE_ACCEPT, .nev = 1,
			   .always = true },
	SYS(__NR_recvmsg, lx_h_msg, LXE_RECVMSG, 1),
	SYS(__NR_sendmsg, lx_h_msg, LXE_SENDMSG, 1),
	SYS(__NR_recvfrom, lx_h_msg, LXE_RECVFROM, 1),
	SYS(__NR_sendto, lx_h_msg, LXE_SENDTO, 1),
};

const struct lx_sys lx_enter_sys[LX_NR] = {
	SYS(__NR_execveat, lx_enter_execveat, LXE_EXECVE, 2),
	SYS(__NR_close, lx_enter_close, LXE_CLOSE, 1),
	SYS(__NR_setuid, lx_enter_cred, LXE_SETUID, 1),
	SYS(__NR_setgid, lx_enter_cred, LXE_SETGID, 1),
	SYS(__NR_setreuid, lx_enter_cred, LXE_SETREUID, 1),
	SYS(__NR_setregid, lx_enter_cred, LXE_SETREGID, 1),
	SYS(__NR_setresuid, lx_enter_cred, LXE_SETRESUID, 1),
	SYS(__NR_setresgid, lx_enter_cred, LXE_SETRESGID, 1),
};

/*
 * The system calls whose probes have work to do, by 64-bit number.  The
 * probes test enter_any and exit_any first: those bitmaps hold these bits
 * and the 32-bit numbers of the calls they stand for (one test for both
 * ABIs; the ABI is looked at after it), so that a call nothing is selected
 * for costs a compare and a bit test, and no function call.
 */
DECLARE_BITMAP(lx_exit_on, LX_NR);
DECLARE_BITMAP(lx_enter_on, LX_NR);
struct lx_fast_maps lx_fast ____cacheline_aligned;

/* Can some event of s be selected with the classes of live? */
/* Can event ev be selected, with live classes and (io) an I/O trace? */
static bool event_live(int ev, u32 live, bool io)
{
	return (READ_ONCE(lx_event_class[ev]) & live) || (io && lx_event_is_io(ev));
}

static bool sys_selectable(const struct lx_sys *s, u32 live, bool io)
{
	int ev;

	if (!s->h)
		return false;
	for (ev = s->ev; ev < s->ev + s->nev; ev++)
		if (event_live(ev, live, io))
			return true;
	for (ev = s->also; ev < s->also + s->nalso; ev++)
		if (event_live(ev, live, io))
			return true;
	return false;
}

/* Has s's handler work to do (a record, or the terminal id's upkeep)? */
static bool sys_live(const struct lx_sys *s, u32 live, bool io)
{
	return s->h && (s->always || sys_selectable(s, live, io));
}

#ifdef CONFIG_IA32_EMULATION
#define LX_NR32 512
#define I32(n32, n64, f) [__NR_ia32_##n32] = __NR_##n64 | I32_ON | (f)

/*
 * The 32-bit system calls (int $0x80, sysenter) that are recorded, each as
 * the 64-bit call whose arguments mean the same, registers and pointers
 * being 32 bits wide.  Not recorded: sendmsg and recvmsg (their msghdr has
 * another layout, also through socketcall), _llseek, and the x32 ABI.
 */
static const u16 ia32_map[LX_NR32] = {
	I32(fork, fork, 0), I32(vfork, vfork, 0), I32(clone, clone, 0),
	I32(clone3, clone3, 0), I32(execve, execve, 0),
	I32(execveat, execveat, 0), I32(kill, kill, 0), I32(tkill, tkill, 0),
	I32(tgkill, tgkill, 0), I32(ptrace, ptrace, 0),
	I32(open, open, 0), I32(openat, openat, 0), I32(openat2, openat2, 0),
	I32(creat, creat, 0), I32(close, close, 0), I32(read, read, 0),
	I32(write, write, 0), I32(lseek, lseek, 0),
	I32(unlink, unlink, 0), I32(unlinkat, unlinkat, 0),
	I32(rmdir, rmdir, 0), I32(rename, rename, 0),
	I32(renameat, renameat, 0), I32(renameat2, renameat2, 0),
	I32(link, link, 0), I32(linkat, linkat, 0), I32(symlink, symlink, 0),
	I32(symlinkat, symlinkat, 0), I32(mkdir, mkdir, 0),
	I32(mkdirat, mkdirat, 0), I32(chmod, chmod, 0),
	I32(fchmod, fchmod, 0), I32(fchmodat, fchmodat, 0),
	I32(chown32, chown, 0), I32(lchown32, lchown, 0),
	I32(fchown32, fchown, 0), I32(fchownat, fchownat, 0),
	I32(chown, chown, I32_UID16), I32(lchown, lchown, I32_UID16),
	I32(fchown, fchown, I32_UID16),
	I32(setuid32, setuid, 0), I32(setgid32, setgid, 0),
	I32(setreuid32, setreuid, 0), I32(setregid32, setregid, 0),
	I32(setresuid32, setresuid, 0), I32(setresgid32, setresgid, 0),
	I32(setuid, setuid, I32_UID16), I32(setgid, setgid, I32_UID16),
	I32(setreuid, setreuid, I32_UID16), I32(setregid, setregid, I32_UID16),
	I32(setresuid, setresuid, I32_UID16),
	I32(setresgid, setresgid, I32_UID16),
	I32(mount, mount, 0), I32(umount2, umount2, 0),
	I32(init_module, init_module, 0), I32(finit_module, finit_module, 0),
	I32(delete_module, delete_module, 0),
	I32(socket, socket, 0), I32(bind, bind, 0), I32(connect, connect, 0),
	I32(listen, listen, 0), I32(accept4, accept4, 0),
	I32(sendto, sendto, 0), I32(recvfrom, recvfrom, 0),
};

/* socketcall's calls: the 64-bit call and the number of arguments */
static const struct {
	u16 nr;
	u8 nargs;
} socketcall_map[] = {
	[SYS_SOCKET] = { __NR_socket | I32_ON, 3 },
	[SYS_BIND] = { __NR_bind | I32_ON, 3 },
	[SYS_CONNECT] = { __NR_connect | I32_ON, 3 },
	[SYS_LISTEN] = { __NR_listen | I32_ON, 2 },
	[SYS_ACCEPT] = { __NR_accept | I32_ON, 3 },
	[SYS_SENDTO] = { __NR_sendto | I32_ON, 6 },
	[SYS_RECVFROM] = { __NR_recvfrom | I32_ON, 6 },
	[SYS_ACCEPT4] = { __NR_accept4 | I32_ON, 4 },
};

/* A 32-bit call as I32_* bits and the 64-bit number; 0: not recorded. */
u16 lx_ia32_lookup(unsigned long nr, struct pt_regs *regs)
{
	if (!in_ia32_syscall() || nr >= LX_NR32)
		return 0;
	if (nr == __NR_ia32_socketcall) {
		u32 call = regs->bx;

		if (call >= ARRAY_SIZE(socketcall_map))
			return 0;
		return socketcall_map[call].nr ? socketcall_map[call].nr |
						 I32_SOCKETCALL : 0;
	}
	return ia32_map[nr];
}

/* A 32-bit call's arguments as the 64-bit call's. */
noinline void lx_ia32_args(struct lx_ctx *c, struct pt_regs *regs, u16 m)
{
	u32 a[6];
	int i, n;

	for (i = 0; i < 6; i++)
		c->a[i] = (u32)c->a[i];
	if (m & I32_SOCKETCALL) {
		n = socketcall_map[(u32)regs->bx].nargs;
		memset(a, 0, sizeof(a));
		if (copy_from_user_nofault(a, (void __user *)c->a[1],
					   n * sizeof(u32)))
			memset(a, 0, sizeof(a));
		for (i = 0; i < 6; i++)
			c->a[i] = a[i];
	}
	if (m & I32_UID16) {
		/* chown(path, uid, gid), setresuid(r, e, s) ... */
		i = c->nr == __NR_chown || c->nr == __NR_lchown ||
		    c->nr == __NR_fchown;
		for (n = i; n < i + 3; n++)
			c->a[n] = (u16)c->a[n] == 0xffff ? (u32)-1 :
				  (u16)c->a[n];
	}
}
#else
u16 lx_ia32_lookup(unsigned long nr, struct pt_regs *regs)
{
	return 0;
}

void lx_ia32_args(struct lx_ctx *c, struct pt_regs *regs, u16 m)
{
}
#endif

/* Publish a bitmap the probes read, a word at a time. */
static void publish_bits(unsigned long *dst, const unsigned long *src)
{
	int i;

	for (i = 0; i < BITS_TO_LONGS(LX_NR); i++)
		WRITE_ONCE(dst[i], src[i]);
}

/* The 32-bit numbers of the calls whose 64-bit numbers are set in on. */
static void add_ia32(unsigned long *any, const unsigned long *on)
{
#ifdef CONFIG_IA32_EMULATION
	int nr, i;

	for (nr = 0; nr < LX_NR32 && nr < LX_NR; nr++)
		if ((ia32_map[nr] & I32_ON) &&
		    test_bit(ia32_map[nr] & I32_NR, on))
			__set_bit(nr, any);
	for (i = 0; i < ARRAY_SIZE(socketcall_map); i++)
		if (socketcall_map[i].nr &&
		    test_bit(socketcall_map[i].nr & I32_NR, on))
			__set_bit(__NR_ia32_socketcall, any);
#endif
}

/*
 * live: the classes that some task may have selected; io: some process's
 * I/O calls are traced (LXBSM_TRACE_IO).  Returns the
 * tracepoints that some selectable event needs (LX_NEED_*): sys_exit while
 * a system call's record can be selected, sys_enter while one of those
 * that keep something at entry (close, set*id, execveat) can.  What the
 * probes do whatever is selected (accept's peer, the loginuid write: the
 * terminal ids) does not keep them attached: see lx_sys_attach().
 */
u32 lx_events_reselect(u32 live, bool io)
{
	DECLARE_BITMAP(on, LX_NR);
	DECLARE_BITMAP(any, LX_NR);
	u32 need = 0;
	int nr;

	for (nr = 0; nr < LX_NR; nr++) {
		if (sys_selectable(&lx_enter_sys[nr], live, io))
			need |= LX_NEED_ENTER;
		if (sys_selectable(&lx_exit_sys[nr], live, io))
			need |= LX_NEED_EXIT;
	}

	/* the exact maps first, then the probes' first test */
	for (nr = 0; nr < LX_NR; nr++)
		__assign_bit(nr, on, sys_live(&lx_enter_sys[nr], live, io));
	publish_bits(lx_enter_on, on);
	bitmap_copy(any, on, LX_NR);
	add_ia32(any, on);
	publish_bits(lx_fast.enter_any, any);

	for (nr = 0; nr < LX_NR; nr++)
		__assign_bit(nr, on, sys_live(&lx_exit_sys[nr], live, io));
	publish_bits(lx_exit_on, on);
	bitmap_copy(any, on, LX_NR);
	/* a loginuid write sets the terminal of a process with an entry */
	__set_bit(__NR_write, any);
	__set_bit(__NR_write, on);
	add_ia32(any, on);
	publish_bits(lx_fast.exit_any, any);
	return need;
}
