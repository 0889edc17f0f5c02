// SPDX-License-Identifier: GPL-2.0
/*
 * lxbsm_proc.c - what the task struct lacks, kept per process as LxBSM's
 * "BSM hash queue" did: the terminal id of a remote session and the peer of
 * the last connection the process accepted.  (The sys_enter to sys_exit
 * stash is in lxbsm_stash.c, the path cache in lxbsm_pcache.c.)
 *
 * A process gets an entry when it accepts an inet connection; a child
 * inherits its parent's entry at fork; the entry goes when the last thread
 * of the process exits.  When the process sets its loginuid (a write to
 * /proc/self/loginuid: the login point of a session), the accepted peer
 * becomes the session's terminal id, which every record of the process and
 * of its descendants then carries.  A process whose loginuid write was a
 * login (lxbsm_session.c) gets an entry in any case, marked as the
 * session's leader, whose exit is the logout; one that changed user as su
 * is marked too, and so is an su that forked.  Those marks are not
 * inherited.
 */
#include <linux/kernel.h>
#include <linux/hashtable.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/rculist.h>
#include <linux/hash.h>
#include <linux/sched/signal.h>
#include <linux/fs.h>
#include <linux/fdtable.h>
#include "lxbsm_int.h"

struct lx_proc {
	struct hlist_node node;
	struct rcu_head rcu;
	pid_t tgid;
	bool has_term;
	bool has_peer;
	bool su_done;
	bool forked;
	int login_ev;
	struct lx_termid term;
	struct lx_termid peer;
};

#define LX_PROC_BITS 10
static DEFINE_HASHTABLE(lx_procs, LX_PROC_BITS);
static DEFINE_SPINLOCK(lx_proc_lock);
atomic_t lx_nprocs = ATOMIC_INIT(0);

static struct lx_proc *find_rcu(pid_t tgid)
{
	struct lx_proc *p;

	hash_for_each_possible_rcu(lx_procs, p, node, tgid)
		if (p->tgid == tgid)
			return p;
	return NULL;
}

/* Called with lx_proc_lock held. */
static struct lx_proc *find_or_add_locked(pid_t tgid)
{
	struct lx_proc *p = find_rcu(tgid);

	if (p)
		return p;
	p = kzalloc(sizeof(*p), GFP_ATOMIC);
	if (!p)
		return NULL;
	p->tgid = tgid;
	hash_add_rcu(lx_procs, &p->node, tgid);
	atomic_inc(&lx_nprocs);
	return p;
}

/* Has t's process an entry?  (Lock-free; most processes have none.) */
bool lx_proc_has(struct task_struct *t)
{
	bool has;

	if (!lx_proc_any())
		return false;
	rcu_read_lock();
	has = find_rcu(t->tgid) != NULL;
	rcu_read_unlock();
	return has;
}

void lx_proc_fork(struct task_struct *parent, struct task_struct *child)
{
	struct lx_proc *pp, *cp;

	if (child->tgid == parent->tgid || !lx_proc_has(parent))
		return;		/* a thread shares its process's entry */
	spin_lock(&lx_proc_lock);
	pp = find_rcu(parent->tgid);
	if (pp) {
		cp = find_or_add_locked(child->tgid);
		if (cp) {
			cp->has_term = pp->has_term;
			cp->term = pp->term;
			cp->has_peer = pp->has_peer;
			cp->peer = pp->peer;
		}
	}
	spin_unlock(&lx_proc_lock);
}

/* What t's process's entry says about its session (zeros: no entry). */
void lx_proc_end_of(struct task_struct *t, struct lx_proc_end *end)
{
	struct lx_proc *p;

	memset(end, 0, sizeof(*end));
	if (!lx_proc_any())
		return;
	rcu_read_lock();
	p = find_rcu(t->tgid);
	if (p) {
		end->login_ev = READ_ONCE(p->login_ev);
		end->su_done = READ_ONCE(p->su_done);
		end->forked = READ_ONCE(p->forked);
	}
	rcu_read_unlock();
}

void lx_proc_exit_task(struct task_struct *t)
{
	struct lx_proc *p;

	if (atomic_read(&t->signal->live) != 0 || !lx_proc_has(t))
		return;		/* other threads live on, or nothing to free */
	spin_lock(&lx_proc_lock);
	p = find_rcu(t->tgid);
	if (p) {
		hash_del_rcu(&p->node);
		atomic_dec(&lx_nprocs);
		kfree_rcu(p, rcu);
	}
	spin_unlock(&lx_proc_lock);
}

/* t's terminal id into tid, if its process has one. */
bool lx_proc_get_termid(struct task_struct *t, struct lx_termid *tid)
{
	struct lx_proc *p;
	bool found = false;

	rcu_read_lock();
	p = find_rcu(t->tgid);
	if (p && p->has_term) {
		*tid = p->term;
		found = true;
	}
	rcu_read_unlock();
	return found;
}

void lx_proc_set_peer(struct task_struct *t, const struct lx_termid *peer)
{
	struct lx_proc *p;

	spin_lock(&lx_proc_lock);
	p = find_or_add_locked(t->tgid);
	if (p) {
		p->peer = *peer;
		p->has_peer = true;
	}
	spin_unlock(&lx_proc_lock);
}

/* t set its loginuid; login_ev: the login it made, 0 if none. */
void lx_proc_login(struct task_struct *t, int login_ev)
{
	struct lx_proc *p;

	spin_lock(&lx_proc_lock);
	p = login_ev ? find_or_add_locked(t->tgid) : find_rcu(t->tgid);
	if (p) {
		/* a new session: its terminal is the accepted peer, if any */
		p->has_term = p->has_peer;
		p->term = p->peer;
		p->login_ev = login_ev;
	}
	spin_unlock(&lx_proc_lock);
}

/* t changed user as su: true the first time for its process. */
bool lx_proc_mark_su(struct task_struct *t)
{
	struct lx_proc *p;
	bool first = false;

	spin_lock(&lx_proc_lock);
	p = find_or_add_locked(t->tgid);
	if (p && !p->su_done) {
		p->su_done = true;
		first = true;
	}
	spin_unlock(&lx_proc_lock);
	return first;
}

void lx_proc_mark_forked(struct task_struct *t)
{
	struct lx_proc *p;

	spin_lock(&lx_proc_lock);
	p = find_or_add_locked(t->tgid);
	if (p)
		p->forked = true;
	spin_unlock(&lx_proc_lock);
}

/*
 * sys_exit was detached: accepts and loginuid writes go unseen from now
 * on, so a peer kept from before would be taken for the terminal of a
 * later session (the accepting process's next connection, or a child
 * forked for it): forget them all.  Sessions keep the terminal ids they
 * have.  Called after tracepoint_synchronize_unregister() (no sys_exit
 * probe runs), in process context.
 */
void lx_proc_forget_peers(void)
{
	struct lx_proc *p;
	int bkt;

	spin_lock(&lx_proc_lock);
	hash_for_each(lx_procs, bkt, p, node)
		p->has_peer = false;
	spin_unlock(&lx_proc_lock);
}

int lx_proc_init(void)
{
	hash_init(lx_procs);
	return 0;
}

void lx_proc_exit(void)
{
	struct lx_proc *p;
	struct hlist_node *tmp;
	int bkt;

	/* the probes are gone and synchronised: nobody else looks */
	spin_lock(&lx_proc_lock);
	hash_for_each_safe(lx_procs, bkt, tmp, p, node) {
		hash_del_rcu(&p->node);
		kfree_rcu(p, rcu);
	}
	atomic_set(&lx_nprocs, 0);
	spin_unlock(&lx_proc_lock);
}
