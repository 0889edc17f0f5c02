// SPDX-License-Identifier: GPL-2.0
/*
 * lxbsm_pcache.c - the paths of the files recorded opens opened, by fd.
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
