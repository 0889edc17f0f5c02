// SPDX-License-Identifier: GPL-2.0
/*
 * lxbsm_proc.c - what the task struct lacks, kept per process as LxBSM's
 * "BSM hash queue" did: the terminal id of a remote session and the peer of
 * the last connection the process accepted.  Plus a small per-thread stash
 * that carries tokens from sys_enter to sys_exit, and the path cache: the
 * paths that recorded opens named, by fd.
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
#include <linux/fs.h>
#include <linux/fdtable.h>
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

/*
 * The stash: a few slots, each owned by one thread between its sys_enter
 * and its sys_exit.  A thread looks for its slot among the LX_STASH_PROBES
 * slots from the hash of its task pointer (a bounded search); a slot is
 * claimed with cmpxchg and freed by storing NULL, so no lock is taken, and
 * the tokens are built in the slot itself.  With those slots busy the
 * tokens are simply not carried (the record goes out without them).
 *
 * A thread holds at most the slot it claimed last: sys_exit frees it.  A
 * slot whose sys_exit never looked (the call was deselected in between)
 * stays until the thread claims again or exits.
 */
#define LX_STASH_BITS 6
#define LX_STASH_SLOTS (1 << LX_STASH_BITS)
#define LX_STASH_PROBES 8

struct lx_stash {
	struct task_struct *task;
	long nr;
	u32 len;
	u8 data[LX_STASH_MAX + LX_REC_TAIL];
};

static struct lx_stash lx_stash[LX_STASH_SLOTS];

/* Slots claimed: while none is, nobody need look for one. */
atomic_t lx_stash_claimed = ATOMIC_INIT(0);

/*
 * Free a slot: after the uses of its data, before another thread's claim.
 * An exchange, as a thread and lx_stash_clear() may free it at once.
 */
static void stash_free(struct lx_stash *s)
{
	if (xchg(&s->task, NULL))
		atomic_dec(&lx_stash_claimed);
}

static struct lx_stash *stash_find(struct task_struct *t)
{
	u32 h = hash_ptr(t, LX_STASH_BITS), i;

	for (i = 0; i < LX_STASH_PROBES; i++) {
		struct lx_stash *s = &lx_stash[(h + i) % LX_STASH_SLOTS];

		if (READ_ONCE(s->task) == t)
			return s;
	}
	return NULL;
}

void __lx_stash_drop(struct task_struct *t)
{
	struct lx_stash *s;

	while ((s = stash_find(t)))
		stash_free(s);
}

/*
 * sys_enter or sys_exit was detached (and no probe of theirs runs any
 * more): free every slot.  A thread that was between its sys_enter and
 * its sys_exit then had its slot left behind; were it kept, a later
 * sys_exit of the same call with no sys_enter seen (the probes attached
 * again in between) would take those old tokens for its own.  The only
 * other users of the slots, sched_process_exec and sched_process_exit,
 * free (never claim) them, as this does.
 */
void lx_stash_clear(void)
{
	int i;

	for (i = 0; i < LX_STASH_SLOTS; i++)
		if (READ_ONCE(lx_stash[i].task))
			stash_free(&lx_stash[i]);
}

/*
 * Claim a slot for t's tokens of system call nr: the first of t's probes
 * that is t's or free.  r is set up to build them in it; lx_stash_close()
 * then keeps them.  Returns NULL if no slot is free.
 */
struct lx_stash *lx_stash_open(struct task_struct *t, long nr,
			       struct lx_rec *r)
{
	u32 h = hash_ptr(t, LX_STASH_BITS), i;

	for (i = 0; i < LX_STASH_PROBES; i++) {
		struct lx_stash *s = &lx_stash[(h + i) % LX_STASH_SLOTS];
		struct task_struct *owner = READ_ONCE(s->task);

		if (!owner && !cmpxchg(&s->task, NULL, t))
			atomic_inc(&lx_stash_claimed);
		else if (owner != t)
			continue;
		s->nr = nr;
		s->len = 0;
		lx_rec_init(r, s->data, sizeof(s->data));
		return s;
	}
	return NULL;
}

void lx_stash_close(struct lx_stash *s, const struct lx_rec *r)
{
	s->len = r->overflow ? 0 : r->len;
}

/*
 * Free t's slot; if it holds tokens of system call nr, append them to r
 * (unless r is NULL) and return true.
 */
bool __lx_stash_take(struct task_struct *t, long nr, struct lx_rec *r)
{
	struct lx_stash *s = stash_find(t);
	bool found;

	if (!s)
		return false;
	found = s->nr == nr;
	if (found && r)
		lx_put_bytes(r, s->data, s->len);
	stash_free(s);
	return found;
}

/* Does t hold a slot with tokens of system call nr? */
bool __lx_stash_holds(struct task_struct *t, long nr)
{
	struct lx_stash *s = stash_find(t);

	return s && s->nr == nr;
}

/*
 * The path cache: the path a recorded open named (made absolute), by fd,
 * for the records that name an open file by its fd (close above all, also
 * read, write, fchmod ...), which otherwise build it with d_path().  Solaris
 * does the same with the path it keeps in the vnode.
 *
 * One fixed table (nothing to free; a process that exits leaves stale
 * entries, which the next opens overwrite), an entry per (fd table, fd)
 * hash.  An entry is only believed for the very file it was made for: the
 * fd table, the fd, the struct file, and its dentry and mount must all be
 * those of the file now at that fd.  So a reused fd (close and open, dup2()
 * over it, close_range(), exec's close-on-exec), a file that another opens
 * reallocated, a forked child's copy of the table, all miss and fall back
 * to d_path().  Opens are only cached from an fd table that nobody shares
 * (no CLONE_FILES thread could have closed and reused the fd before the
 * probe looked at it).
 *
 * A slot is written under its sequence count (odd while written; a writer
 * that finds it odd or loses the cmpxchg skips caching) and read locklessly,
 * then checked against the count.
 */
#define LX_PC_BITS 9
#define LX_PC_PATH 200

struct lx_pc_ent {
	u32 seq;
	int fd;
	u32 len;
	const struct files_struct *files;
	const struct file *file;
	const struct dentry *dentry;
	const struct vfsmount *mnt;
	char path[LX_PC_PATH];
};

static struct lx_pc_ent lx_pcache[1 << LX_PC_BITS];

static struct lx_pc_ent *pc_slot(const struct files_struct *files, int fd)
{
	return &lx_pcache[hash_long((unsigned long)files + fd, LX_PC_BITS)];
}

/* The open of f as fd named path (len bytes, absolute). */
void lx_pcache_put(struct file *f, int fd, const char *path, u32 len)
{
	struct files_struct *files = current->files;
	struct lx_pc_ent *e;
	u32 seq;

	if (len >= LX_PC_PATH || !files)
		return;
	e = pc_slot(files, fd);
	seq = READ_ONCE(e->seq);
	if ((seq & 1) || cmpxchg(&e->seq, seq, seq + 1) != seq)
		return;
	/* cmpxchg() orders the odd count before the stores */
	WRITE_ONCE(e->files, files);
	WRITE_ONCE(e->fd, fd);
	WRITE_ONCE(e->file, f);
	WRITE_ONCE(e->dentry, f->f_path.dentry);
	WRITE_ONCE(e->mnt, f->f_path.mnt);
	WRITE_ONCE(e->len, len);
	memcpy(e->path, path, len);
	/* the entry before the even count that validates it */
	smp_store_release(&e->seq, seq + 2);
}

/*
 * The path cached for the file f at fd of current's fd table, into out
 * (NUL-terminated): its length, or -1 if there is none.
 */
int lx_pcache_get(struct file *f, int fd, char *out)
{
	struct files_struct *files = current->files;
	struct lx_pc_ent *e;
	u32 seq, len;

	if (!files)
		return -1;
	e = pc_slot(files, fd);
	/* the count before the entry; pairs with lx_pcache_put()'s release */
	seq = smp_load_acquire(&e->seq);
	if (seq & 1 || READ_ONCE(e->files) != files ||
	    READ_ONCE(e->fd) != fd || READ_ONCE(e->file) != f ||
	    READ_ONCE(e->dentry) != f->f_path.dentry ||
	    READ_ONCE(e->mnt) != f->f_path.mnt)
		return -1;
	len = READ_ONCE(e->len);
	if (len >= LX_PC_PATH)
		return -1;
	memcpy(out, e->path, len);
	out[len] = '\0';
	/* the copy before the second look at the count */
	smp_rmb();
	if (READ_ONCE(e->seq) != seq)
		return -1;
	return len;
}
