// SPDX-License-Identifier: GPL-2.0
/*
 * lxbsm_select.c - preselection: audit classes for success and for
 * failure, per-auid overrides as audit_user, published with RCU; the
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
#include "lxbsm_int.h"

u32 lx_policy;

struct lx_config {
	struct rcu_head rcu;
	u32 success;
	u32 failure;
	u32 nauid;
	struct lxbsm_auid_mask auid[LXBSM_MAX_AUID_MASKS];
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

	/* the probes' copy of the global masks */
	WRITE_ONCE(lx_sel.success, c->success);
	WRITE_ONCE(lx_sel.failure, c->failure);
	WRITE_ONCE(lx_sel.per_auid, c->nauid != 0);
	for (i = 0; i < c->nauid; i++)
		live |= c->auid[i].always_success | c->auid[i].always_failure;
	return lx_sys_attach_locked(lx_events_reselect(live));
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
