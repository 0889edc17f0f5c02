// SPDX-License-Identifier: GPL-2.0
/*
 * lxbsm_ev_cred.c - the records of credentials: the set*id calls, their
 * subject from before the change.
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

/* credentials */

static int cred_event(long nr)
{
	switch (nr) {
	case __NR_setuid:
		return LXE_SETUID;
	case __NR_setgid:
		return LXE_SETGID;
	case __NR_setreuid:
		return LXE_SETREUID;
	case __NR_setregid:
		return LXE_SETREGID;
	case __NR_setresuid:
		return LXE_SETRESUID;
	default:
		return LXE_SETRESGID;
	}
}

/* Keep the subject as it is before the credentials change. */
void lx_enter_cred(struct lx_ctx *c)
{
	struct lx_stash *st;
	struct lx_rec r;

	if (!lx_maybe_selected(cred_event(c->nr)))
		return;
	st = lx_stash_open(current, c->nr, &r);
	if (!st)
		return;
	lx_put_subject(&r, current);
	lx_stash_close(st, &r);
}

void lx_h_cred(struct lx_ctx *c)
{
	static const char *const names[][3] = {
		[LXE_SETUID - LXE_SETUID] = { "uid" },
		[LXE_SETGID - LXE_SETUID] = { "gid" },
		[LXE_SETREUID - LXE_SETUID] = { "ruid", "euid" },
		[LXE_SETREGID - LXE_SETUID] = { "rgid", "egid" },
		[LXE_SETRESUID - LXE_SETUID] = { "ruid", "euid", "suid" },
		[LXE_SETRESGID - LXE_SETUID] = { "rgid", "egid", "sgid" },
	};
	int ev = cred_event(c->nr), i;

	if (!lx_failed(c) && (ev == LXE_SETUID || ev == LXE_SETREUID ||
			      ev == LXE_SETRESUID))
		lx_session_setuid(from_kuid(&init_user_ns, current_euid()));
	if (!lx_selected(ev, lx_failed(c))) {
		lx_stash_take(current, c->nr, NULL);
		return;
	}
	lx_begin_stashed(c, ev);
	for (i = 0; i < 3 && names[ev - LXE_SETUID][i]; i++)
		lx_put_arg32(&c->r, i + 1, c->a[i], names[ev - LXE_SETUID][i]);
	lx_emit(c, c->ret);
}
