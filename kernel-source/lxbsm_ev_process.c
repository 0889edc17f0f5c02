// SPDX-License-Identifier: GPL-2.0
/*
 * lxbsm_ev_process.c - the records of processes: fork, kill, ptrace, exec,
 * exit.
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

/* process */

void lx_h_fork(struct lx_ctx *c)
{
	unsigned long flags = 0;
	int ev = LXE_FORK;

	if (c->ret == 0)
		return;		/* the child's side */
	if (c->nr == __NR_vfork) {
		ev = LXE_VFORK;
	} else if (c->nr == __NR_clone || c->nr == __NR_clone3) {
		if (c->nr == __NR_clone)
			flags = c->a[0];
		else if (copy_from_user_nofault(&flags, (void __user *)c->a[0],
						sizeof(u64)))
			flags = 0;
		if (flags & CLONE_VFORK)
			ev = LXE_VFORK;
		else if (flags & (CLONE_VM | CLONE_THREAD))
			ev = LXE_RFORK;
	}
	if (!lx_selected(ev, lx_failed(c)))
		return;
	lx_begin(c, ev);
	if (c->ret > 0)
		lx_put_arg32(&c->r, 0, c->ret, "child PID");
	if (c->nr == __NR_clone || c->nr == __NR_clone3)
		lx_put_arg32(&c->r, 1, flags, "flags");
	lx_emit(c, c->ret);
}

/* The target of kill or ptrace: its process token, or its pid. */
static void put_target(struct lx_ctx *c, pid_t pid, u8 argn)
{
	struct task_struct *t = NULL;

	if (pid > 0) {
		rcu_read_lock();
		t = pid_task(find_vpid(pid), PIDTYPE_PID);
		if (t)
			lx_put_process(&c->r, t);
		rcu_read_unlock();
	}
	if (!t)
		lx_put_arg32(&c->r, argn, pid, "process");
}

void lx_h_kill(struct lx_ctx *c)
{
	pid_t pid = c->a[0];
	int sig = c->a[1];

	if (!lx_selected(LXE_KILL, lx_failed(c)))
		return;
	if (c->nr == __NR_tgkill) {
		pid = c->a[1];
		sig = c->a[2];
	}
	lx_begin(c, LXE_KILL);
	lx_put_arg32(&c->r, 2, sig, "signal");
	put_target(c, pid, 1);
	lx_emit(c, c->ret);
}

void lx_h_ptrace(struct lx_ctx *c)
{
	if (!lx_selected(LXE_PTRACE, lx_failed(c)))
		return;
	lx_begin(c, LXE_PTRACE);
	lx_put_arg32(&c->r, 1, c->a[0], "request");
	put_target(c, c->a[1], 2);
	lx_emit(c, c->ret);
}

/*
 * By sched_process_exec the call number says execve whatever the call was
 * (the binary format sets it for its ABI): note an execveat for it.
 */
void lx_enter_execveat(struct lx_ctx *c)
{
	struct lx_stash *st;
	struct lx_rec r;

	st = lx_stash_open(current, c->nr, &r);
	if (st)
		lx_stash_close(st, &r);
}

/* A failed exec (a successful one is recorded at sched_process_exec). */
void lx_h_execve(struct lx_ctx *c)
{
	bool at = c->nr == __NR_execveat;
	int ev = at ? LXE_EXECVEAT : LXE_EXECVE;

	if (at)
		lx_stash_take(current, c->nr, NULL);
	if (c->ret >= 0 || !lx_selected(ev, true))
		return;
	lx_begin(c, ev);
	lx_put_upath(c, at ? c->a[0] : AT_FDCWD, at ? c->a[1] : c->a[0],
		  c->s->path1);
	lx_put_user_argv(&c->r, (const char __user *const __user *)
			 (at ? c->a[2] : c->a[1]), c->s->tmp, c->compat);
	lx_emit(c, c->ret);
}

/* A successful exec: the new image's arguments are in its memory. */
void lx_sched_exec(struct task_struct *p, struct linux_binprm *bprm)
{
	struct mm_struct *mm = p->mm;
	struct lx_ctx c;
	unsigned long len;
	long nr;
	int ev;

	if (p != current || lx_is_reader(p))
		return;
	nr = lx_stash_take(p, __NR_execveat, NULL) ? __NR_execveat :
						       __NR_execve;
	ev = nr == __NR_execveat ? LXE_EXECVEAT : LXE_EXECVE;
	if (!lx_selected(ev, false))
		return;
	preempt_disable();
	c.s = this_cpu_read(lx_scratch_ptr);
	c.nr = nr;
	c.ret = 0;
	lx_begin(&c, ev);
	len = lx_canon(bprm->filename, c.s->path1, c.s->tmp, c.s->dpath);
	lx_put_path_len(&c.r, c.s->path1, len);
	if (bprm->file)
		lx_put_attr_file(&c.r, bprm->file);
	if (mm && mm->arg_end > mm->arg_start) {
		len = min_t(unsigned long, mm->arg_end - mm->arg_start,
			    LX_ARGS_MAX);
		if (!copy_from_user_nofault(c.s->args,
					    (void __user *)mm->arg_start, len))
			lx_put_strings(&c.r, AUT_EXEC_ARGS, c.s->args, len);
	}
	if ((READ_ONCE(lx_policy) & LXBSM_POLICY_ARGE) && mm &&
	    mm->env_end > mm->env_start) {
		len = min_t(unsigned long, mm->env_end - mm->env_start,
			    LX_ARGS_MAX);
		if (!copy_from_user_nofault(c.s->args,
					    (void __user *)mm->env_start, len))
			lx_put_strings(&c.r, AUT_EXEC_ENV, c.s->args, len);
	}
	lx_emit(&c, 0);
	preempt_enable();
}

/* The end of a process (its last thread): exit status in an exit token. */
void lx_sched_exit(struct task_struct *p)
{
	struct lx_proc_end end;
	struct lx_ctx c;
	int code = p->exit_code;

	lx_stash_drop(p);
	if (p == current && atomic_read(&p->signal->live) == 0 &&
	    !(p->flags & PF_KTHREAD) && !lx_is_reader(p) &&
	    lx_selected(LXE_EXIT, false)) {
		preempt_disable();
		c.s = this_cpu_read(lx_scratch_ptr);
		c.nr = -1;
		c.ret = 0;
		lx_begin(&c, LXE_EXIT);
		/* status: the exit value; return: the terminating signal */
		lx_put_exit(&c.r, (code >> 8) & 0xff, code & 0x7f);
		lx_emit(&c, 0);
		preempt_enable();
	}
	/* the session's end, while the entry still gives the terminal id */
	if (p == current && atomic_read(&p->signal->live) == 0 &&
	    !(p->flags & PF_KTHREAD)) {
		lx_proc_end_of(p, &end);
		lx_session_exit(&end, code);
	}
	lx_proc_exit_task(p);
}

void lx_sched_fork(struct task_struct *parent, struct task_struct *child)
{
	lx_proc_fork(parent, child);
	if (child->tgid != parent->tgid)
		lx_session_fork(parent);
}
