// SPDX-License-Identifier: GPL-2.0
/*
 * lxbsm_select.c - preselection: audit classes for success and for
 * failure, per-auid overrides as audit_user, traced processes, published
 * with RCU; the
 * global masks copied where the probes read them; and, at each change,
 * the system calls that can produce a record (lxbsm_syscalls.c) and the
 * probes that must be attached for them (lxbsm_tracepoints.c).
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/audit.h>
#include <linux/cred.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include "lxbsm_int.h"

u32 lx_policy;

/* A traced process: its thread group, told from a later one by its start. */
struct lx_trace {
	pid_t tgid;
	u32 flags;
	u32 classes;
	u64 start;		/* the group leader's start_time */
};

struct lx_config {
	struct rcu_head rcu;
	u32 success;
	u32 failure;
	u32 nauid;
	struct lxbsm_auid_mask auid[LXBSM_MAX_AUID_MASKS];
	u32 ntrace;
	struct lx_trace trace[LXBSM_MAX_TRACES];
};

static struct lx_config __rcu *lx_cfg;
DEFINE_MUTEX(lx_cfg_mutex);

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

/* Ancestors looked at for LXBSM_TRACE_CHILDREN, at most. */
#define LX_TRACE_DEPTH	32

/* Is task t (under RCU) the process of trace tr, or with its flag, below it? */
static bool traces_task(const struct lx_trace *tr, struct task_struct *t)
{
	int depth;

	for (depth = 0; depth < LX_TRACE_DEPTH; depth++) {
		if (t->tgid == tr->tgid && t->group_leader->start_time == tr->start)
			return true;
		if (!(tr->flags & LXBSM_TRACE_CHILDREN) || t->pid <= 1)
			return false;
		t = rcu_dereference(t->real_parent);
	}
	return false;
}

/* Is event ev of current selected by a trace? */
bool lx_traced(int ev)
{
	const struct lx_config *c;
	u32 cls = READ_ONCE(lx_event_class[ev]), i;
	bool on = false;

	rcu_read_lock();
	c = rcu_dereference(lx_cfg);
	for (i = 0; i < c->ntrace && !on; i++) {
		const struct lx_trace *tr = &c->trace[i];

		if (((tr->flags & LXBSM_TRACE_IO) && lx_event_is_io(ev)) ||
		    (cls & tr->classes))
			on = traces_task(tr, current);
	}
	rcu_read_unlock();
	return on;
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
	bool io = false;

	/* the probes' copy of the global masks */
	WRITE_ONCE(lx_sel.success, c->success);
	WRITE_ONCE(lx_sel.failure, c->failure);
	WRITE_ONCE(lx_sel.per_auid, c->nauid != 0);
	WRITE_ONCE(lx_sel.traced, c->ntrace != 0);
	for (i = 0; i < c->nauid; i++)
		live |= c->auid[i].always_success | c->auid[i].always_failure;
	for (i = 0; i < c->ntrace; i++) {
		live |= c->trace[i].classes;
		io |= c->trace[i].flags & LXBSM_TRACE_IO;
	}
	return lx_sys_attach_locked(lx_events_reselect(live, io));
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

static int find_trace(const struct lx_config *c, const struct lx_trace *tr)
{
	u32 i;

	for (i = 0; i < c->ntrace; i++)
		if (c->trace[i].tgid == tr->tgid && c->trace[i].start == tr->start)
			return i;
	return -1;
}

static int check_trace(const struct lx_config *c, const void *arg)
{
	const struct lx_trace *tr = arg;

	if (find_trace(c, tr) < 0 && c->ntrace >= LXBSM_MAX_TRACES)
		return -ENOSPC;
	return 0;
}

static void set_trace(struct lx_config *c, const void *arg)
{
	const struct lx_trace *tr = arg;
	int i = find_trace(c, tr);

	if (i < 0)
		i = c->ntrace++;
	c->trace[i] = *tr;
}

/* Ends the traces of thread group *arg (0: every trace). */
static void end_traces(struct lx_config *c, const void *arg)
{
	pid_t tgid = *(const pid_t *)arg;
	u32 i = 0;

	while (i < c->ntrace) {
		if (!tgid || c->trace[i].tgid == tgid)
			c->trace[i] = c->trace[--c->ntrace];
		else
			i++;
	}
}

/*
 * Starts or changes the trace of t->pid; with no flags and no classes ends
 * it (the process may be gone), and with pid 0 too, every trace.
 */
int lx_set_trace(const struct lxbsm_trace *t)
{
	struct task_struct *task;
	struct lx_trace tr = {
		.flags = t->flags,
		.classes = t->classes,
	};
	pid_t tgid = t->pid;

	if (t->reserved ||
	    (t->flags & ~(LXBSM_TRACE_CHILDREN | LXBSM_TRACE_IO)))
		return -EINVAL;
	if (!t->flags && !t->classes)
		return update_cfg(end_traces, &tgid, NULL);
	rcu_read_lock();
	task = pid_task(find_vpid(t->pid), PIDTYPE_TGID);
	if (task) {
		tr.tgid = task->tgid;
		tr.start = task->group_leader->start_time;
	}
	rcu_read_unlock();
	if (!task)
		return -ESRCH;
	return update_cfg(set_trace, &tr, check_trace);
}

/* The same, with the configuration in force (lx_cfg_mutex held). */
int lx_reselect_locked(void)
{
	return reselect_locked(rcu_dereference_protected(lx_cfg,
				lockdep_is_held(&lx_cfg_mutex)));
}

/* The event classes of audit_event and the default masks. */
int lx_select_init(void)
{
	struct lx_config *c;
	int i;

	for (i = 0; i < LXE_COUNT; i++)
		lx_event_class[i] = lx_events[i].classes;
	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return -ENOMEM;
	c->success = LXBSM_DEFAULT_MASK;
	c->failure = LXBSM_DEFAULT_MASK;
	RCU_INIT_POINTER(lx_cfg, c);
	return lx_reselect();
}

/* After the probes are gone and every RCU callback has run. */
void lx_select_exit(void)
{
	kfree(rcu_dereference_protected(lx_cfg, 1));
}
