// SPDX-License-Identifier: GPL-2.0
/*
 * lxbsm_proc.c - what the task struct lacks, kept per process as LxBSM's
 * "BSM hash queue" did: the terminal id of a remote session and the peer of
 * the last connection the process accepted.  Plus a small per-thread stash
 * that carries tokens from sys_enter to sys_exit.
 *
 * A process gets an entry when it accepts an inet connection; a child
 * inherits its parent's entry at fork; the entry goes when the last thread
 * of the process exits.  When the process sets its loginuid (a write to
 * /proc/self/loginuid: the login point of a session), the accepted peer
 * becomes the session's terminal id, which every record of the process and
 * of its descendants then carries.
 */
#include <linux/kernel.h>
#include <linux/hashtable.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/rculist.h>
#include <linux/hash.h>
#include <linux/sched/signal.h>
#include "lxbsm_int.h"

struct lx_proc {
	struct hlist_node node;
	struct rcu_head rcu;
	pid_t tgid;
	bool has_term;
	bool has_peer;
	struct lx_termid term;
	struct lx_termid peer;
};

#define LX_PROC_BITS 10
static DEFINE_HASHTABLE(lx_procs, LX_PROC_BITS);
static DEFINE_SPINLOCK(lx_proc_lock);
static atomic_t lx_nprocs = ATOMIC_INIT(0);

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

/* Has any process an entry?  (Usually none: then nothing to look up.) */
bool lx_proc_any(void)
{
	return atomic_read(&lx_nprocs) != 0;
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

void lx_proc_get_termid(struct task_struct *t, struct lx_termid *tid)
{
	struct lx_proc *p;

	memset(tid, 0, sizeof(*tid));
	tid->type = AU_IPV4;
	if (!lx_proc_any())
		return;
	rcu_read_lock();
	p = find_rcu(t->tgid);
	if (p && p->has_term)
		*tid = p->term;
	rcu_read_unlock();
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

void lx_proc_login(struct task_struct *t)
{
	struct lx_proc *p;

	spin_lock(&lx_proc_lock);
	p = find_rcu(t->tgid);
	if (p) {
		/* a new session: its terminal is the accepted peer, if any */
		p->has_term = p->has_peer;
		p->term = p->peer;
	}
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

/*
 * The stash: a few slots, each owned by one thread between its sys_enter
 * and its sys_exit.  A thread finds its slot among the LX_STASH_PROBES
 * slots from the hash of its task pointer (a bounded search: a lookup runs
 * on every audited close); a slot is claimed with cmpxchg and freed by
 * storing NULL, so no lock is taken.  With those slots busy the tokens are
 * simply not carried (the record goes out without them).
 */
#define LX_STASH_SLOTS 64
#define LX_STASH_PROBES 8

struct lx_stash {
	struct task_struct *task;
	long nr;
	u32 len;
	u8 data[LX_STASH_MAX];
};

static struct lx_stash lx_stash[LX_STASH_SLOTS];

static struct lx_stash *stash_find(struct task_struct *t)
{
	u32 h = hash_ptr(t, 6), i;

	for (i = 0; i < LX_STASH_PROBES; i++) {
		struct lx_stash *s = &lx_stash[(h + i) % LX_STASH_SLOTS];

		if (READ_ONCE(s->task) == t)
			return s;
	}
	return NULL;
}

void lx_stash_drop(struct task_struct *t)
{
	struct lx_stash *s;

	while ((s = stash_find(t)))
		smp_store_release(&s->task, NULL);
}

void lx_stash_put(struct task_struct *t, long nr, const u8 *data, u32 len)
{
	u32 h = hash_ptr(t, 6), i;

	if (len > LX_STASH_MAX)
		return;
	lx_stash_drop(t);
	for (i = 0; i < LX_STASH_PROBES; i++) {
		struct lx_stash *s = &lx_stash[(h + i) % LX_STASH_SLOTS];

		if (!READ_ONCE(s->task) && !cmpxchg(&s->task, NULL, t)) {
			s->nr = nr;
			s->len = len;
			memcpy(s->data, data, len);
			return;
		}
	}
}

/*
 * Free t's slot; if it holds tokens of system call nr, append them to r
 * (unless r is NULL) and return true.
 */
bool lx_stash_take(struct task_struct *t, long nr, struct lx_rec *r)
{
	struct lx_stash *s = stash_find(t);
	bool found;

	if (!s)
		return false;
	found = s->nr == nr;
	if (found && r)
		lx_put_bytes(r, s->data, s->len);
	smp_store_release(&s->task, NULL);
	return found;
}
