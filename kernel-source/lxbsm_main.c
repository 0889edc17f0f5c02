// SPDX-License-Identifier: GPL-2.0
/*
 * lxbsm.ko - Linux writes BSM: a kernel-side producer of Sun Basic
 * Security Module audit records, the modern successor of LxBSM.
 *
 * It never touches the syscall table: it attaches probes to the raw
 * tracepoints sys_enter and sys_exit and to sched_process_fork,
 * sched_process_exec and sched_process_exit, found by name with
 * for_each_kernel_tracepoint() and registered with
 * tracepoint_probe_register().  Records go to a ring that /dev/lxbsm
 * drains (lxbsm_dev.c).
 *
 * This file: module set-up, the tracepoints, and preselection (audit
 * classes for success and for failure, per-auid overrides).
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/tracepoint.h>
#include <linux/slab.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/audit.h>
#include <linux/cred.h>
#include <linux/binfmts.h>
#include "lxbsm_int.h"

#ifndef CONFIG_X86_64
#error "lxbsm: only x86_64 system call numbers are mapped so far"
#endif

u32 lx_policy;

struct lx_config {
	struct rcu_head rcu;
	u32 success;
	u32 failure;
	u32 nauid;
	struct lxbsm_auid_mask auid[LXBSM_MAX_AUID_MASKS];
};

static struct lx_config __rcu *lx_cfg;
static DEFINE_MUTEX(lx_cfg_mutex);

static u32 mask_for(const struct lx_config *c, bool failed)
{
	u32 mask = failed ? c->failure : c->success;
	u32 i, auid;

	if (!c->nauid)
		return mask;
	auid = from_kuid(&init_user_ns, audit_get_loginuid(current));
	for (i = 0; i < c->nauid; i++) {
		const struct lxbsm_auid_mask *a = &c->auid[i];

		if (a->auid != auid)
			continue;
		if (failed)
			mask = (mask | a->always_failure) & ~a->never_failure;
		else
			mask = (mask | a->always_success) & ~a->never_success;
		break;
	}
	return mask;
}

struct lx_sel lx_sel;

/* lx_selected_on() where some auid has an override. */
bool lx_selected_auid(int ev, bool success, bool failure)
{
	const struct lx_config *c;
	u32 cls = READ_ONCE(lx_event_class[ev]);
	u32 mask = 0;

	rcu_read_lock();
	c = rcu_dereference(lx_cfg);
	if (success)
		mask |= mask_for(c, false);
	if (failure)
		mask |= mask_for(c, true);
	rcu_read_unlock();
	return cls & mask;
}

/* Could an event of one of the classes cls be recorded for current? */
bool lx_selected_classes(u32 cls)
{
	const struct lx_config *c;
	u32 mask;

	if (!READ_ONCE(lx_sel.per_auid))
		return cls & (READ_ONCE(lx_sel.success) |
			      READ_ONCE(lx_sel.failure));
	rcu_read_lock();
	c = rcu_dereference(lx_cfg);
	mask = mask_for(c, false) | mask_for(c, true);
	rcu_read_unlock();
	return cls & mask;
}

static int sys_attach_locked(u32 need);

/*
 * Tell the probes which system calls can produce a record at all: the
 * classes that some task could have selected are the global masks plus
 * every per-auid "always".  Then attach sys_enter and sys_exit if some
 * such call needs them, or detach them.  Called with lx_cfg_mutex held,
 * in process context.
 */
static int reselect_locked(const struct lx_config *c)
{
	u32 live = c->success | c->failure, i;

	/* the probes' copy of the global masks */
	WRITE_ONCE(lx_sel.success, c->success);
	WRITE_ONCE(lx_sel.failure, c->failure);
	WRITE_ONCE(lx_sel.per_auid, c->nauid != 0);
	for (i = 0; i < c->nauid; i++)
		live |= c->auid[i].always_success | c->auid[i].always_failure;
	return sys_attach_locked(lx_events_reselect(live));
}

/* After an event's classes changed. */
int lx_reselect(void)
{
	int err;

	mutex_lock(&lx_cfg_mutex);
	err = reselect_locked(rcu_dereference_protected(lx_cfg,
				lockdep_is_held(&lx_cfg_mutex)));
	mutex_unlock(&lx_cfg_mutex);
	return err;
}

/* Replace the configuration: copy, change, publish, free the old one. */
static int update_cfg(void (*change)(struct lx_config *, const void *),
		      const void *arg, int (*check)(const struct lx_config *,
						    const void *))
{
	struct lx_config *old, *new;
	int err;

	new = kmalloc(sizeof(*new), GFP_KERNEL);
	if (!new)
		return -ENOMEM;
	mutex_lock(&lx_cfg_mutex);
	old = rcu_dereference_protected(lx_cfg, lockdep_is_held(&lx_cfg_mutex));
	*new = *old;
	err = check ? check(new, arg) : 0;
	if (err) {
		mutex_unlock(&lx_cfg_mutex);
		kfree(new);
		return err;
	}
	change(new, arg);
	rcu_assign_pointer(lx_cfg, new);
	/* the new configuration stands even if a tracepoint would not attach */
	err = reselect_locked(new);
	mutex_unlock(&lx_cfg_mutex);
	kfree_rcu(old, rcu);
	return err;
}

static void set_mask(struct lx_config *c, const void *arg)
{
	const struct lxbsm_mask *m = arg;

	c->success = m->success;
	c->failure = m->failure;
}

int lx_set_mask(const struct lxbsm_mask *m)
{
	return update_cfg(set_mask, m, NULL);
}

void lx_get_mask(struct lxbsm_mask *m)
{
	const struct lx_config *c;

	rcu_read_lock();
	c = rcu_dereference(lx_cfg);
	m->success = c->success;
	m->failure = c->failure;
	rcu_read_unlock();
}

static int find_auid(const struct lx_config *c, u32 auid)
{
	u32 i;

	for (i = 0; i < c->nauid; i++)
		if (c->auid[i].auid == auid)
			return i;
	return -1;
}

static bool auid_mask_empty(const struct lxbsm_auid_mask *a)
{
	return !a->always_success && !a->always_failure &&
	       !a->never_success && !a->never_failure;
}

static int check_auid_mask(const struct lx_config *c, const void *arg)
{
	const struct lxbsm_auid_mask *a = arg;

	if (find_auid(c, a->auid) < 0 && !auid_mask_empty(a) &&
	    c->nauid >= LXBSM_MAX_AUID_MASKS)
		return -ENOSPC;
	return 0;
}

static void set_auid_mask(struct lx_config *c, const void *arg)
{
	const struct lxbsm_auid_mask *a = arg;
	int i = find_auid(c, a->auid);

	if (auid_mask_empty(a)) {
		if (i >= 0) {
			c->auid[i] = c->auid[c->nauid - 1];
			c->nauid--;
		}
		return;
	}
	if (i < 0)
		i = c->nauid++;
	c->auid[i] = *a;
}

int lx_set_auid_mask(const struct lxbsm_auid_mask *m)
{
	return update_cfg(set_auid_mask, m, check_auid_mask);
}

static void clear_auid_masks(struct lx_config *c, const void *arg)
{
	c->nauid = 0;
}

int lx_clear_auid_masks(void)
{
	return update_cfg(clear_auid_masks, NULL, NULL);
}

/*
 * The probes: thin shims with the tracepoints' prototypes (sys_enter's and
 * sys_exit's are in lxbsm_events.c, where their bit tests are).
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
static int sys_attach_locked(u32 need)
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
static void unregister_tps(void)
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
static int register_tps(void)
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
	err = reselect_locked(rcu_dereference_protected(lx_cfg,
				lockdep_is_held(&lx_cfg_mutex)));
out:
	mutex_unlock(&lx_cfg_mutex);
	return err;
}

static int __init lxbsm_init(void)
{
	struct lx_config *c;
	int i, err;

	for (i = 0; i < LXE_COUNT; i++)
		lx_event_class[i] = lx_events[i].classes;
	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return -ENOMEM;
	c->success = LXBSM_DEFAULT_MASK;
	c->failure = LXBSM_DEFAULT_MASK;
	RCU_INIT_POINTER(lx_cfg, c);
	lx_reselect();

	err = lx_proc_init();
	if (err)
		goto free_cfg;
	err = lx_events_init();
	if (err)
		goto proc_exit;
	err = lx_dev_init();
	if (err)
		goto events_exit;
	err = register_tps();
	if (err)
		goto unregister;
	lx_uring_init();
	err = lx_dev_register();
	if (err)
		goto uring_exit;
	pr_info(LXBSM_NAME ": loaded; /dev/%s, ring %lu bytes\n", LXBSM_NAME,
		lx_bufsize);
	return 0;

uring_exit:
	lx_uring_exit();
unregister:
	unregister_tps();
	lx_events_drain();
	lx_dev_exit();
events_exit:
	lx_events_exit();
proc_exit:
	lx_proc_exit();
free_cfg:
	/* an ioctl may have replaced c already (the device was there) */
	rcu_barrier();
	kfree(rcu_dereference_protected(lx_cfg, 1));
	return err;
}

static void __exit lxbsm_exit(void)
{
	lx_dev_unregister();
	lx_uring_exit();
	unregister_tps();
	lx_events_drain();
	lx_dev_exit();
	lx_events_exit();
	lx_proc_exit();
	/* kfree_rcu()'d entries must be gone before the module text is */
	rcu_barrier();
	kfree(rcu_dereference_protected(lx_cfg, 1));
	pr_info(LXBSM_NAME ": unloaded\n");
}

module_init(lxbsm_init);
module_exit(lxbsm_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("BSM (Basic Security Module) audit records from tracepoints");
MODULE_AUTHOR("bsmkit");
