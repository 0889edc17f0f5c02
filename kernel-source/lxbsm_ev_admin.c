// SPDX-License-Identifier: GPL-2.0
/*
 * lxbsm_ev_admin.c - the records of administration: mount, umount, kernel
 * modules.
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

/* system */

void lx_h_mount(struct lx_ctx *c)
{
	if (!lx_selected(LXE_MOUNT, lx_failed(c)))
		return;
	lx_begin(c, LXE_MOUNT);
	lx_put_arg32(&c->r, 3, c->a[3], "flags");
	lx_put_upath(c, AT_FDCWD, c->a[1], c->s->path1);
	lx_put_utext(c, c->a[2]);	/* file system type */
	lx_put_utext(c, c->a[0]);	/* source */
	lx_emit(c, c->ret);
}

void lx_h_umount(struct lx_ctx *c)
{
	if (!lx_selected(LXE_UMOUNT2, lx_failed(c)))
		return;
	lx_begin(c, LXE_UMOUNT2);
	lx_put_arg32(&c->r, 2, c->a[1], "flags");
	lx_put_upath(c, AT_FDCWD, c->a[0], c->s->path1);
	lx_emit(c, c->ret);
}

void lx_h_module(struct lx_ctx *c)
{
	int ev = c->nr == __NR_delete_module ? LXE_MODUNLOAD : LXE_MODLOAD;

	if (!lx_selected(ev, lx_failed(c)))
		return;
	lx_begin(c, ev);
	switch (c->nr) {
	case __NR_init_module:
		lx_put_arg32(&c->r, 2, c->a[1], "length");
		lx_put_utext(c, c->a[2]);
		break;
	case __NR_finit_module:
		lx_put_arg32(&c->r, 1, c->a[0], "fd");
		lx_put_arg32(&c->r, 3, c->a[2], "flags");
		lx_put_fd(c, c->a[0]);
		lx_put_utext(c, c->a[1]);
		break;
	default:
		lx_put_utext(c, c->a[0]);
		lx_put_arg32(&c->r, 2, c->a[1], "flags");
		break;
	}
	lx_emit(c, c->ret);
}
