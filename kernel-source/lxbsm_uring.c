// SPDX-License-Identifier: GPL-2.0
/*
 * lxbsm_uring.c - io_uring kept from audited tasks.
 *
 * An io_uring opens, reads, writes, connects, renames ... without the
 * system calls that the probes see, so that an audited task could act and
 * leave no record.  Until its operations are recorded, a task for which
 * one of those operations' events is selected may not set up, enter or
 * register an io_uring: the three system calls' entry points are
 * redirected, for that task alone, to a stand-in that records the denial
 * (event LXBSM_URING_EVENT, whatever the masks say) and fails with EPERM.
 * The redirect is ftrace's, decided per call (FTRACE_OPS_FL_IPMODIFY, as
 * livepatch does); the system call table is not touched.  Policy
 * LXBSM_POLICY_URING lets every task through, unrecorded.
 */
#include <linux/kernel.h>
#include <linux/ftrace.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <asm/unistd.h>
#include "lxbsm_int.h"

/* The entry points of io_uring_setup, _enter and _register, 64- and 32-bit. */
static const char *const gated[] = {
	"__x64_sys_io_uring_setup", "__x64_sys_io_uring_enter",
	"__x64_sys_io_uring_register",
#ifdef CONFIG_IA32_EMULATION
	"__ia32_sys_io_uring_setup", "__ia32_sys_io_uring_enter",
	"__ia32_sys_io_uring_register",
#endif
};

/* The events whose system calls an io_uring can stand in for. */
static const int reachable[] = {
	LXE_OPENAT_R, LXE_OPENAT_RC, LXE_OPENAT_RT, LXE_OPENAT_RTC,
	LXE_OPENAT_W, LXE_OPENAT_WC, LXE_OPENAT_WT, LXE_OPENAT_WTC,
	LXE_OPENAT_RW, LXE_OPENAT_RWC, LXE_OPENAT_RWT, LXE_OPENAT_RWTC,
	LXE_CLOSE, LXE_READ, LXE_WRITE, LXE_UNLINKAT, LXE_RENAMEAT,
	LXE_MKDIRAT, LXE_SYMLINKAT, LXE_LINKAT, LXE_SOCKET, LXE_CONNECT,
	LXE_ACCEPT, LXE_RECVMSG, LXE_RECVFROM, LXE_SENDMSG, LXE_SENDTO,
};

static bool gate_on;
module_param_named(uring_gate, gate_on, bool, 0444);
MODULE_PARM_DESC(uring_gate, "read-only: io_uring is denied to audited tasks");
static unsigned long denials;
module_param_named(uring_denials, denials, ulong, 0444);
MODULE_PARM_DESC(uring_denials, "read-only: io_uring calls denied");

static bool deny_current(void)
{
	u32 cls = 0;
	int i;

	if ((READ_ONCE(lx_policy) & LXBSM_POLICY_URING) ||
	    (current->flags & PF_KTHREAD) || lx_is_reader(current))
		return false;
	for (i = 0; i < ARRAY_SIZE(reachable); i++)
		cls |= READ_ONCE(lx_event_class[reachable[i]]);
	return lx_selected_classes(cls);
}

static const char *call_name(long nr)
{
	/* the same numbers in the 64- and the 32-bit table */
	switch (nr) {
	case __NR_io_uring_setup:
		return "io_uring_setup";
	case __NR_io_uring_enter:
		return "io_uring_enter";
	default:
		return "io_uring_register";
	}
}

/* Where a denied call goes instead: in the task, where it may sleep. */
static long uring_denied(const struct pt_regs *regs)
{
	struct lx_rec r;
	u8 buf[256];
	char text[80];

	snprintf(text, sizeof(text),
		 "lxbsm: %s denied: io_uring is not audited",
		 call_name(regs->orig_ax));
	lx_rec_init(&r, buf, sizeof(buf));
	lx_put_header(&r, LXBSM_URING_EVENT);
	lx_put_subject(&r, current);
	lx_put_text(&r, text);
	/* a statistic: a lost increment under a race is harmless */
	WRITE_ONCE(denials, denials + 1);
	lx_enqueue(buf, lx_rec_finish(&r, -EPERM));
	return -EPERM;
}

static void notrace uring_gate(unsigned long ip, unsigned long parent_ip,
			       struct ftrace_ops *ops,
			       struct ftrace_regs *fregs)
{
	if (deny_current())
		ftrace_instruction_pointer_set(fregs,
					       (unsigned long)uring_denied);
}

static struct ftrace_ops gate_ops = {
	.func = uring_gate,
	.flags = FTRACE_OPS_FL_SAVE_REGS | FTRACE_OPS_FL_IPMODIFY |
		 FTRACE_OPS_FL_RECURSION,
};

/*
 * Without the redirect (no io_uring in this kernel, or another IPMODIFY
 * user on these functions) the module still loads, and says so: the
 * gate's state is in /sys/module/lxbsm/parameters/uring_gate.
 */
void lx_uring_init(void)
{
	int i, err = 0;

	for (i = 0; i < ARRAY_SIZE(gated) && !err; i++)
		err = ftrace_set_filter(&gate_ops, (unsigned char *)gated[i],
					strlen(gated[i]), 0);
	if (!err)
		err = register_ftrace_function(&gate_ops);
	if (err) {
		ftrace_free_filter(&gate_ops);
		pr_warn(LXBSM_NAME ": io_uring cannot be kept from audited tasks (%d): its operations go unrecorded\n",
			err);
		return;
	}
	gate_on = true;
}

void lx_uring_exit(void)
{
	if (!gate_on)
		return;
	unregister_ftrace_function(&gate_ops);
	/*
	 * No task is left in uring_denied(), which does not sleep, once
	 * every task has passed a voluntary switch or user space.
	 */
	synchronize_rcu_tasks();
	ftrace_free_filter(&gate_ops);
	gate_on = false;
}
