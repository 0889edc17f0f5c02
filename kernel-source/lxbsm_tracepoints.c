// SPDX-License-Identifier: GPL-2.0
/*
 * lxbsm_tracepoints.c - the tracepoints lxbsm.ko attaches to: sys_enter and
 * sys_exit (while some system call's record can be selected) and
 * sched_process_fork/exec/exit (from load to unload), found by name with
 * for_each_kernel_tracepoint() and registered with
 * tracepoint_probe_register().
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/tracepoint.h>
#include <linux/mutex.h>
#include <linux/binfmts.h>
#include "lxbsm_int.h"

/*
 * The probes: thin shims with the tracepoints' prototypes (sys_enter's and
 * sys_exit's are in lxbsm_probes.c, where their bit tests are).
 */
static void probe_fork(void *data, struct task_struct *parent,
		       struct task_struct *child)
{
	lx_sched_fork(parent, child);
}

static void probe_exec(void *data, struct task_struct *p, pid_t old_pid,
		       struct linux_binprm *bprm)
{
	lx_sched_exec(p, bprm);
}

static void probe_exit(void *data, struct task_struct *p)
{
	lx_sched_exit(p);
}

enum { TP_SYS_ENTER, TP_SYS_EXIT, TP_FORK, TP_EXEC, TP_EXIT, TP_COUNT };

/* registered: under lx_cfg_mutex */
static struct lx_tp {
	const char *name;
	void *probe;
	struct tracepoint *tp;
	bool registered;
} lx_tps[TP_COUNT] = {
	[TP_SYS_ENTER] = { .name = "sys_enter", .probe = lx_probe_sys_enter },
	[TP_SYS_EXIT] = { .name = "sys_exit", .probe = lx_probe_sys_exit },
	[TP_FORK] = { .name = "sched_process_fork", .probe = probe_fork },
	[TP_EXEC] = { .name = "sched_process_exec", .probe = probe_exec },
	[TP_EXIT] = { .name = "sched_process_exit", .probe = probe_exit },
};

/*
 * The sys_enter and sys_exit probes are attached only while some system
 * call's record can be selected: merely being attached to them sends
 * every system call of every task through the kernel's slow path (the
 * SYSCALL_WORK_SYSCALL_TRACEPOINT work), about 2.5 % of an open+close
 * under qemu.  The sched_process_* probes stay attached from load to
 * unload (per-process state, exec and exit records).
 *
 * Attaching and detaching happen only here: in process context (the
 * ioctls, module load), under lx_cfg_mutex, never from a probe, an RCU
 * read section or under a spinlock, and only once the tracepoints are
 * found (lx_tps_ready).  Read-only parameters show the state:
 * sys_probes (bit 0 sys_enter, bit 1 sys_exit attached) and
 * sys_probe_switches (how often they were attached or detached).
 */
static bool lx_tps_ready;		/* under lx_cfg_mutex */
static int lx_sys_probes;
static int lx_sys_switches;

static int param_set_ro(const char *val, const struct kernel_param *kp)
{
	return -EPERM;
}

static const struct kernel_param_ops lx_ro_int_ops = {
	.set = param_set_ro,
	.get = param_get_int,
};
module_param_cb(sys_probes, &lx_ro_int_ops, &lx_sys_probes, 0444);
MODULE_PARM_DESC(sys_probes,
		 "read-only: sys_enter (1) and sys_exit (2) probes attached");
module_param_cb(sys_probe_switches, &lx_ro_int_ops, &lx_sys_switches, 0444);
MODULE_PARM_DESC(sys_probe_switches,
		 "read-only: times sys_enter/sys_exit were attached or detached");

static int tp_attach(int i)
{
	int err;

	if (lx_tps[i].registered)
		return 0;
	err = tracepoint_probe_register(lx_tps[i].tp, lx_tps[i].probe, NULL);
	if (err) {
		pr_err(LXBSM_NAME ": cannot attach to %s: %d\n",
		       lx_tps[i].name, err);
		return err;
	}
	lx_tps[i].registered = true;
	return 0;
}

/* Without tracepoint_synchronize_unregister(): the caller's to do. */
static bool tp_detach(int i)
{
	int err;

	if (!lx_tps[i].registered)
		return false;
	err = tracepoint_probe_unregister(lx_tps[i].tp, lx_tps[i].probe, NULL);
	if (err) {
		pr_err(LXBSM_NAME ": cannot detach from %s: %d\n",
		       lx_tps[i].name, err);
		return false;
	}
	lx_tps[i].registered = false;
	return true;
}

static void publish_sys_state(void)
{
	WRITE_ONCE(lx_sys_probes,
		   (lx_tps[TP_SYS_ENTER].registered ? 1 : 0) |
		   (lx_tps[TP_SYS_EXIT].registered ? 2 : 0));
}

/*
 * Attach sys_enter and sys_exit where need (LX_NEED_*) asks for them,
 * detach them where it does not.  sys_enter only keeps tokens for
 * sys_exit, so it is attached only with sys_exit: sys_exit first, and
 * sys_enter goes first.  Called with lx_cfg_mutex held.
 *
 * A task may be between its sys_enter and its sys_exit at either switch.
 * Attached in between: its sys_exit finds no stash slot and records what
 * it can without the entry's tokens (a close without path, a set*id with
 * the subject of the exit).  Detached in between: its slot would be left
 * behind for a later sys_exit of the same call to take (wrongly) once the
 * probes are back, so every slot is freed, after the probes are
 * synchronised away.  Detaching sys_exit also forgets the accepted peers
 * (lx_proc_forget_peers()).
 */
int lx_sys_attach_locked(u32 need)
{
	bool gone_enter = false, gone_exit = false;
	int err = 0, before = lx_sys_probes;

	lockdep_assert_held(&lx_cfg_mutex);
	if (!lx_tps_ready)
		return 0;
	if (!(need & LX_NEED_EXIT))
		need = 0;
	if (need & LX_NEED_EXIT)
		err = tp_attach(TP_SYS_EXIT);
	if (!err && (need & LX_NEED_ENTER))
		err = tp_attach(TP_SYS_ENTER);
	if (!(need & LX_NEED_ENTER) || err)
		gone_enter = tp_detach(TP_SYS_ENTER);
	if (!(need & LX_NEED_EXIT))
		gone_exit = tp_detach(TP_SYS_EXIT);
	if (gone_enter || gone_exit) {
		/* no sys_enter or sys_exit probe runs past this point */
		tracepoint_synchronize_unregister();
		if (gone_enter)
			lx_stash_clear();
		if (gone_exit)
			lx_proc_forget_peers();
	}
	publish_sys_state();
	if (lx_sys_probes != before)
		WRITE_ONCE(lx_sys_switches, lx_sys_switches + 1);
	return err;
}

static void find_tp(struct tracepoint *tp, void *priv)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(lx_tps); i++)
		if (!strcmp(tp->name, lx_tps[i].name))
			lx_tps[i].tp = tp;
}

/* At unload (or a failed load): every probe goes. */
void lx_tracepoints_unregister(void)
{
	int i;

	mutex_lock(&lx_cfg_mutex);
	lx_tps_ready = false;
	for (i = ARRAY_SIZE(lx_tps) - 1; i >= 0; i--)
		tp_detach(i);
	publish_sys_state();
	mutex_unlock(&lx_cfg_mutex);
	/* no probe runs past this point */
	tracepoint_synchronize_unregister();
}

/*
 * Find the tracepoints, attach the sched_process_* probes for good, then
 * sys_exit and sys_enter as the configuration asks.
 */
int lx_tracepoints_register(void)
{
	int i, err;

	for_each_kernel_tracepoint(find_tp, NULL);
	for (i = 0; i < ARRAY_SIZE(lx_tps); i++) {
		if (!lx_tps[i].tp) {
			pr_err(LXBSM_NAME ": tracepoint %s not found\n",
			       lx_tps[i].name);
			return -ENOENT;
		}
	}
	mutex_lock(&lx_cfg_mutex);
	/* the per-process state first, so that forks are seen from the start */
	for (i = TP_EXIT; i >= TP_FORK; i--) {
		err = tp_attach(i);
		if (err)
			goto out;
	}
	lx_tps_ready = true;
	err = lx_reselect_locked();
out:
	mutex_unlock(&lx_cfg_mutex);
	return err;
}
