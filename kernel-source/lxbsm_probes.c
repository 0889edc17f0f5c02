// SPDX-License-Identifier: GPL-2.0
/*
 * lxbsm_probes.c - the sys_enter and sys_exit probes: the first bit test,
 * the ABI, the reader check, and the call of the handler in a per-CPU
 * context; the scratch buffers.
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

DEFINE_PER_CPU(struct lx_scratch *, lx_scratch_ptr);

/*
 * The context of a system call's handler: per CPU, like the scratch
 * buffers (probes run with preemption disabled and do not nest), which
 * spares clearing one on the stack per call.
 */
static DEFINE_PER_CPU(struct lx_ctx, lx_ctx_pcpu);

/* m: the I32_* bits of a 32-bit call, else 0 */
static void run(lx_handler h, struct pt_regs *regs, long nr, long ret, u16 m)
{
	struct lx_ctx *c;

	preempt_disable();
	c = this_cpu_ptr(&lx_ctx_pcpu);
	c->s = this_cpu_read(lx_scratch_ptr);
	c->nr = nr;
	c->ret = ret;
	c->compat = m;
	syscall_get_arguments(current, regs, c->a);
	if (m)
		lx_ia32_args(c, regs, m);
	h(c);
	preempt_enable();
}

static noinline void sys_enter_slow(struct pt_regs *regs, long id)
{
	u16 m = 0;

	if (unlikely(in_compat_syscall())) {
		m = lx_ia32_lookup(id, regs);
		if (!m)
			return;
		id = m & I32_NR;
	}
	if (!test_bit(id, lx_enter_on) || lx_is_reader(current))
		return;
	run(lx_enter_sys[id].h, regs, id, 0, m);
}

static noinline void sys_exit_slow(struct pt_regs *regs, unsigned long nr,
				   long ret)
{
	u16 m = 0;

	if (unlikely(in_compat_syscall())) {
		m = lx_ia32_lookup(nr, regs);
		if (!m)
			return;
		nr = m & I32_NR;
	}
	if (!test_bit(nr, lx_exit_on) && !(nr == __NR_write && lx_proc_any()))
		return;
	if (lx_is_reader(current))
		return;
	run(lx_exit_sys[nr].h, regs, nr, ret, m);
}

/* The probes of sys_enter and sys_exit (with the tracepoints' prototypes). */
void lx_probe_sys_enter(void *data, struct pt_regs *regs, long id)
{
	if (likely((unsigned long)id >= LX_NR ||
		   !lx_fast_bit(lx_fast.enter_any, id)))
		return;
	sys_enter_slow(regs, id);
}

void lx_probe_sys_exit(void *data, struct pt_regs *regs, long ret)
{
	unsigned long nr = syscall_get_nr(current, regs);

	if (likely(nr >= LX_NR || !lx_fast_bit(lx_fast.exit_any, nr)))
		return;
	sys_exit_slow(regs, nr, ret);
}

int lx_events_init(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct lx_scratch *s = kvzalloc(sizeof(*s), GFP_KERNEL);

		if (!s) {
			lx_events_exit();
			return -ENOMEM;
		}
		per_cpu(lx_scratch_ptr, cpu) = s;
	}
	return 0;
}

void lx_events_exit(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		kvfree(per_cpu(lx_scratch_ptr, cpu));
		per_cpu(lx_scratch_ptr, cpu) = NULL;
	}
}
