// SPDX-License-Identifier: GPL-2.0
/*
 * lxbsm_dev.c - the record queue and the /dev/lxbsm character device.
 *
 * The queue is one byte ring of whole records.  Producers (audited tasks,
 * in tracepoint probes) take a spinlock only to reserve and copy; the
 * reader copies to user space without it, under a mutex that orders
 * readers, and then publishes the new tail.  A producer never overwrites
 * unread bytes.
 *
 * When a record does not fit, the policy decides:
 *  - drop (default): the record is dropped and counted; the next record
 *    that fits is preceded by a loss notice (event LXBSM_LOSS_EVENT, text
 *    "lxbsm: N records lost", return value N);
 *  - block (LXBSM_POLICY_BLOCK): the record is kept aside and the task
 *    waits for room on its way back to user space (a task_work: a probe
 *    may not sleep), then queues it.  Where that is impossible (an exiting
 *    task, no memory, a fatal signal) the record is dropped and counted as
 *    above.
 *
 * The reader is not woken per record: a record wakes it at once only when
 * the queue holds LX_WAKE_BYTES, else a timer wakes it within
 * LX_WAKE_DELAY, so that a busy producer pays for a wake-up per batch.
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/log2.h>
#include <linux/uaccess.h>
#include <linux/wait.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/task_work.h>
#include <linux/capability.h>
#include <linux/sched/signal.h>
#include <linux/version.h>
#include <linux/timer.h>
#include <linux/jiffies.h>
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif
#include "lxbsm_int.h"

#define LX_BUFSIZE_MAX (16UL << 30)
unsigned long lx_bufsize = 8UL << 20;
module_param_named(bufsize, lx_bufsize, ulong, 0444);
MODULE_PARM_DESC(bufsize, "size of the record ring in bytes (default 8 MiB)");

#define LX_WAKE_BYTES (64U << 10)
#define LX_WAKE_DELAY msecs_to_jiffies(10)

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 2, 0)
#define timer_delete_sync del_timer_sync
#endif

static struct {
	spinlock_t lock;		/* producers */
	u8 *buf;
	u64 size;			/* a power of two, >= bufsize */
	u64 head;			/* next byte to write */
	u64 tail;			/* next byte to read */
	u64 limit;			/* bytes the queue may hold */
	u64 records, bytes, drops, loss_notices, pending_lost, blocked;
	u64 read_records, read_bytes;	/* under read_mutex */
	struct mutex read_mutex;
	wait_queue_head_t readq;
	wait_queue_head_t writeq;
	struct timer_list wake_timer;
	bool stopping;
} ring;

/*
 * The reader: the one open file with read access.  Its opener's process,
 * held by its struct pid (which a later process cannot reuse while held),
 * is not audited until the file is released; other holders of the device
 * (control opens, a child that inherited the fd) are.
 */
struct pid *lx_reader_tgid;
static struct file *reader_file;
static DEFINE_SPINLOCK(reader_lock);

static atomic_t blocked_pending = ATOMIC_INIT(0);
static DECLARE_WAIT_QUEUE_HEAD(unload_wq);

/* Records in the ring. */
static u64 queued_records(void)
{
	return READ_ONCE(ring.records) - READ_ONCE(ring.read_records);
}

/* The offset in the ring of a position in the stream. */
static u64 ring_off(u64 pos)
{
	return pos & (ring.size - 1);
}

static void ring_copy_in(u64 pos, const u8 *src, u32 len)
{
	u64 off = ring_off(pos);
	u64 first = min_t(u64, len, ring.size - off);

	memcpy(ring.buf + off, src, first);
	if (first < len)
		memcpy(ring.buf, src + first, len - first);
}

/* Build the loss notice for n records into buf; returns its length. */
static u32 loss_notice(u8 *buf, u32 cap, u64 n)
{
	struct lx_rec r;
	char text[48];

	lx_rec_init(&r, buf, cap);
	lx_put_header(&r, LXBSM_LOSS_EVENT);
	snprintf(text, sizeof(text), "lxbsm: %llu records lost", n);
	lx_put_text(&r, text);
	return lx_rec_finish(&r, (long)min_t(u64, n, 0x7fffffff));
}

/*
 * Records were lost: queue rec after a loss notice if both fit; returns
 * true if they were queued.  Caller holds lock.
 */
static noinline bool enqueue_after_loss(const u8 *rec, u32 len, u64 used)
{
	u8 notice[96];
	u32 nlen;

	nlen = loss_notice(notice, sizeof(notice), ring.pending_lost);
	if (used + nlen + len > ring.limit)
		return false;
	ring_copy_in(ring.head, notice, nlen);
	/* read without the lock by queued_records() */
	WRITE_ONCE(ring.records, ring.records + 1);
	ring.bytes += nlen;
	ring.loss_notices++;
	ring.pending_lost = 0;
	/* the bytes before the head that shows them to the reader */
	smp_store_release(&ring.head, ring.head + nlen);
	return true;
}

/* Queue rec if it fits; returns true if it was queued. Caller holds lock. */
static __always_inline bool enqueue_locked(const u8 *rec, u32 len)
{
	/* the reader's copy-out done before its tail lets us overwrite */
	u64 used = ring.head - smp_load_acquire(&ring.tail);

	if (unlikely(ring.pending_lost)) {
		if (!enqueue_after_loss(rec, len, used))
			return false;
	} else if (used + len > ring.limit) {
		return false;
	}
	ring_copy_in(ring.head, rec, len);
	WRITE_ONCE(ring.records, ring.records + 1);
	ring.bytes += len;
	/* the bytes before the head that shows them to the reader */
	smp_store_release(&ring.head, ring.head + len);
	return true;
}

static void count_drop_locked(void)
{
	ring.drops++;
	ring.pending_lost++;
}

static void wake_timer_fn(struct timer_list *t)
{
	wake_up_interruptible(&ring.readq);
}

/* After a record went in: used is what the queue holds now. */
static void wake_reader(u64 used)
{
	if (!wq_has_sleeper(&ring.readq))
		return;
	if (used >= min_t(u64, LX_WAKE_BYTES, READ_ONCE(ring.limit) / 4))
		wake_up_interruptible(&ring.readq);
	else if (!timer_pending(&ring.wake_timer))
		mod_timer(&ring.wake_timer, jiffies + LX_WAKE_DELAY);
}

struct lx_blocked {
	struct callback_head cb;
	u32 len;
	u8 rec[];
};

static bool has_room(u32 len)
{
	/* pairs with the reader's release of the tail */
	return ring.head - smp_load_acquire(&ring.tail) + len <= ring.limit;
}

/* Runs on the task's way back to user space, where it may sleep. */
static void blocked_work(struct callback_head *cb)
{
	struct lx_blocked *b = container_of(cb, struct lx_blocked, cb);
	bool queued, give_up;
	u64 used;

	for (;;) {
		give_up = wait_event_killable(ring.writeq, has_room(b->len) ||
					      READ_ONCE(ring.stopping) ||
					      !(READ_ONCE(lx_policy) &
						LXBSM_POLICY_BLOCK)) != 0;
		spin_lock(&ring.lock);
		queued = enqueue_locked(b->rec, b->len);
		if (queued || give_up || READ_ONCE(ring.stopping) ||
		    !(READ_ONCE(lx_policy) & LXBSM_POLICY_BLOCK))
			break;
		/* another producer took the room: wait again */
		spin_unlock(&ring.lock);
	}
	if (!queued)
		count_drop_locked();
	used = ring.head - READ_ONCE(ring.tail);
	spin_unlock(&ring.lock);
	if (queued)
		wake_reader(used);
	kfree(b);
	lx_work_done(&blocked_pending, &unload_wq);
}

static bool try_block(const u8 *rec, u32 len)
{
	struct lx_blocked *b;

	if (current->flags & (PF_KTHREAD | PF_EXITING) || READ_ONCE(ring.stopping))
		return false;
	b = kmalloc(sizeof(*b) + len, GFP_ATOMIC | __GFP_NOWARN);
	if (!b)
		return false;
	b->len = len;
	memcpy(b->rec, rec, len);
	init_task_work(&b->cb, blocked_work);
	atomic_inc(&blocked_pending);
	if (task_work_add(current, &b->cb, TWA_RESUME)) {
		atomic_dec(&blocked_pending);
		kfree(b);
		return false;
	}
	return true;
}

void lx_enqueue(const u8 *rec, u32 len)
{
	bool queued;
	u64 used;

	spin_lock(&ring.lock);
	queued = enqueue_locked(rec, len);
	if (!queued && (READ_ONCE(lx_policy) & LXBSM_POLICY_BLOCK)) {
		ring.blocked++;
		spin_unlock(&ring.lock);
		if (try_block(rec, len))
			return;
		spin_lock(&ring.lock);
		ring.blocked--;
	}
	if (!queued)
		count_drop_locked();
	used = ring.head - READ_ONCE(ring.tail);
	spin_unlock(&ring.lock);
	if (queued)
		wake_reader(used);
}

/* n records that could not be made: reported as a loss, as drops are. */
void lx_count_lost(u32 n)
{
	spin_lock(&ring.lock);
	ring.drops += n;
	ring.pending_lost += n;
	spin_unlock(&ring.lock);
}

static void get_stats(struct lxbsm_stats *s)
{
	memset(s, 0, sizeof(*s));
	spin_lock(&ring.lock);
	s->records = ring.records;
	s->bytes = ring.bytes;
	s->drops = ring.drops;
	s->loss_notices = ring.loss_notices;
	s->pending_lost = ring.pending_lost;
	s->queue_bytes = ring.head - READ_ONCE(ring.tail);
	s->queue_limit = ring.limit;
	s->blocked = ring.blocked;
	spin_unlock(&ring.lock);
	s->queue_records = queued_records();
	s->read_records = READ_ONCE(ring.read_records);
	s->read_bytes = READ_ONCE(ring.read_bytes);
	s->buffer_size = ring.size;
}

/*
 * Opened with read access (CAP_AUDIT_READ), the file is the reader: one
 * at a time, the others get EBUSY, so that no second reader can take
 * records from the stream.  Opened write-only (with any of the audit
 * capabilities), it is for the ioctls, each of which that changes
 * anything asks for CAP_AUDIT_CONTROL, and for records from applications,
 * which ask for CAP_AUDIT_WRITE (lxbsm_apprec.c).
 */
static int lx_open(struct inode *inode, struct file *file)
{
	int err = 0;

	if (file->f_mode & FMODE_READ) {
		if (!capable(CAP_AUDIT_READ))
			return -EPERM;
	} else if (!capable(CAP_AUDIT_WRITE) && !capable(CAP_AUDIT_CONTROL) &&
		   !capable(CAP_AUDIT_READ)) {
		return -EPERM;
	}
	if (file->f_mode & FMODE_READ) {
		spin_lock(&reader_lock);
		if (reader_file) {
			err = -EBUSY;
		} else {
			reader_file = file;
			WRITE_ONCE(lx_reader_tgid, get_pid(task_tgid(current)));
		}
		spin_unlock(&reader_lock);
	}
	return err ? err : stream_open(inode, file);
}

static int lx_release(struct inode *inode, struct file *file)
{
	struct pid *tgid = NULL;

	spin_lock(&reader_lock);
	if (reader_file == file) {
		tgid = lx_reader_tgid;
		WRITE_ONCE(lx_reader_tgid, NULL);
		reader_file = NULL;
	}
	spin_unlock(&reader_lock);
	/* probes compare the pointer and never follow it */
	put_pid(tgid);
	return 0;
}

static u32 record_len_at(u64 pos)
{
	u64 off = ring_off(pos);
	u8 hdr[5];
	int i;

	if (off + 5 <= ring.size)
		return get_unaligned_be32(ring.buf + off + 1);
	for (i = 0; i < 5; i++)
		hdr[i] = ring.buf[ring_off(off + i)];
	return get_unaligned_be32(hdr + 1);
}

static int copy_out(char __user *dst, u64 pos, u64 len)
{
	u64 off = ring_off(pos);
	u64 first = min_t(u64, len, ring.size - off);

	if (copy_to_user(dst, ring.buf + off, first))
		return -EFAULT;
	if (first < len && copy_to_user(dst + first, ring.buf, len - first))
		return -EFAULT;
	return 0;
}

static ssize_t lx_read(struct file *file, char __user *ubuf, size_t count,
		       loff_t *ppos)
{
	u64 head, tail;
	size_t copied = 0;
	u64 nrec = 0;
	int err;

	if (mutex_lock_interruptible(&ring.read_mutex))
		return -ERESTARTSYS;
	for (;;) {
		/* the records' bytes after the head that shows them */
		head = smp_load_acquire(&ring.head);
		tail = ring.tail;
		if (head != tail)
			break;
		mutex_unlock(&ring.read_mutex);
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		if (wait_event_interruptible(ring.readq,
					     /* as above */
					     smp_load_acquire(&ring.head) !=
					     READ_ONCE(ring.tail)))
			return -ERESTARTSYS;
		if (mutex_lock_interruptible(&ring.read_mutex))
			return -ERESTARTSYS;
	}
	/* the whole records that fit, then one copy (each copy is checked) */
	while (tail + copied != head) {
		u32 rlen = record_len_at(tail + copied);

		if (copied + rlen > count)
			break;
		copied += rlen;
		nrec++;
	}
	err = copied ? copy_out(ubuf, tail, copied) : -EMSGSIZE;
	if (err) {
		mutex_unlock(&ring.read_mutex);
		return err;
	}
	tail += copied;
	/* the copy-out before the tail that frees the bytes */
	smp_store_release(&ring.tail, tail);
	WRITE_ONCE(ring.read_records, ring.read_records + nrec);
	WRITE_ONCE(ring.read_bytes, ring.read_bytes + copied);
	mutex_unlock(&ring.read_mutex);
	if (wq_has_sleeper(&ring.writeq))
		wake_up(&ring.writeq);
	return copied;
}

static ssize_t lx_write(struct file *file, const char __user *ubuf,
			size_t count, loff_t *ppos)
{
	return lx_app_write(file, ubuf, count);
}

static __poll_t lx_poll(struct file *file, poll_table *wait)
{
	poll_wait(file, &ring.readq, wait);
	/* pairs with the producers' release of the head */
	if (smp_load_acquire(&ring.head) != READ_ONCE(ring.tail))
		return EPOLLIN | EPOLLRDNORM;
	return 0;
}

static long lx_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *up = (void __user *)arg;
	struct lxbsm_stats st;
	struct lxbsm_mask m;
	struct lxbsm_auid_mask am;
	struct lxbsm_event_class ec;
	struct lxbsm_block_rule br;
	struct lxbsm_block_list bl;
	struct lxbsm_trace tr;
	u64 v;
	u32 p;
	int ev;

	switch (cmd) {
	case LXBSM_IOC_GET_STATS:
		get_stats(&st);
		return copy_to_user(up, &st, sizeof(st)) ? -EFAULT : 0;
	case LXBSM_IOC_GET_QLEN:
		v = queued_records();
		return put_user(v, (u64 __user *)up);
	case LXBSM_IOC_GET_QLIMIT:
		v = READ_ONCE(ring.limit);
		return put_user(v, (u64 __user *)up);
	case LXBSM_IOC_SET_QLIMIT:
		if (!capable(CAP_AUDIT_CONTROL))
			return -EPERM;
		if (get_user(v, (u64 __user *)up))
			return -EFAULT;
		if (v < LX_REC_MAX + 128 || v > ring.size)
			return -EINVAL;
		spin_lock(&ring.lock);
		ring.limit = v;
		spin_unlock(&ring.lock);
		wake_up(&ring.writeq);
		return 0;
	case LXBSM_IOC_GET_MASK:
		lx_get_mask(&m);
		return copy_to_user(up, &m, sizeof(m)) ? -EFAULT : 0;
	case LXBSM_IOC_SET_MASK:
		if (!capable(CAP_AUDIT_CONTROL))
			return -EPERM;
		if (copy_from_user(&m, up, sizeof(m)))
			return -EFAULT;
		return lx_set_mask(&m);
	case LXBSM_IOC_SET_AUID_MASK:
		if (!capable(CAP_AUDIT_CONTROL))
			return -EPERM;
		if (copy_from_user(&am, up, sizeof(am)))
			return -EFAULT;
		return lx_set_auid_mask(&am);
	case LXBSM_IOC_CLEAR_AUID_MASKS:
		if (!capable(CAP_AUDIT_CONTROL))
			return -EPERM;
		return lx_clear_auid_masks();
	case LXBSM_IOC_TRACE:
		if (!capable(CAP_AUDIT_CONTROL))
			return -EPERM;
		if (copy_from_user(&tr, up, sizeof(tr)))
			return -EFAULT;
		return lx_set_trace(&tr);
	case LXBSM_IOC_GET_POLICY:
		p = READ_ONCE(lx_policy);
		return put_user(p, (u32 __user *)up);
	case LXBSM_IOC_SET_POLICY:
		if (!capable(CAP_AUDIT_CONTROL))
			return -EPERM;
		if (get_user(p, (u32 __user *)up))
			return -EFAULT;
		if (p & ~(LXBSM_POLICY_BLOCK | LXBSM_POLICY_ARGE |
			  LXBSM_POLICY_URING))
			return -EINVAL;
		WRITE_ONCE(lx_policy, p);
		wake_up(&ring.writeq);
		return 0;
	case LXBSM_IOC_GET_EVENT_CLASS:
		if (copy_from_user(&ec, up, sizeof(ec)))
			return -EFAULT;
		ev = lx_event_by_bsm(ec.event);
		if (ev < 0 || ev == LXE_LOSS)
			return -ENOENT;
		ec.classes = READ_ONCE(lx_event_class[ev]);
		return copy_to_user(up, &ec, sizeof(ec)) ? -EFAULT : 0;
	case LXBSM_IOC_SET_EVENT_CLASS:
		if (!capable(CAP_AUDIT_CONTROL))
			return -EPERM;
		if (copy_from_user(&ec, up, sizeof(ec)))
			return -EFAULT;
		ev = lx_event_by_bsm(ec.event);
		if (ev < 0 || ev == LXE_LOSS)
			return -ENOENT;
		/* one BSM number may stand for several internal events */
		for (; ev < LXE_COUNT; ev++)
			if (lx_events[ev].bsm == ec.event)
				WRITE_ONCE(lx_event_class[ev], ec.classes);
		return lx_reselect();
	case LXBSM_IOC_ADD_BLOCK:
	case LXBSM_IOC_DEL_BLOCK:
		if (!capable(CAP_AUDIT_CONTROL))
			return -EPERM;
		if (copy_from_user(&br, up, sizeof(br)))
			return -EFAULT;
		return cmd == LXBSM_IOC_ADD_BLOCK ? lx_block_add(&br) :
						    lx_block_del(&br);
	case LXBSM_IOC_CLEAR_BLOCK:
		if (!capable(CAP_AUDIT_CONTROL))
			return -EPERM;
		lx_block_clear();
		return 0;
	case LXBSM_IOC_GET_BLOCK:
		if (copy_from_user(&bl, up, sizeof(bl)))
			return -EFAULT;
		ev = lx_block_get(&bl);
		if (ev)
			return ev;
		return copy_to_user(up, &bl, sizeof(bl)) ? -EFAULT : 0;
	}
	return -ENOTTY;
}

static const struct file_operations lx_fops = {
	.owner = THIS_MODULE,
	.open = lx_open,
	.release = lx_release,
	.read = lx_read,
	.write = lx_write,
	.poll = lx_poll,
	.unlocked_ioctl = lx_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice lx_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = LXBSM_NAME,
	.fops = &lx_fops,
	.mode = 0600,
};

/* The ring; the device appears later, in lx_dev_register(). */
int lx_dev_init(void)
{
	if (lx_bufsize < 2 * LX_REC_MAX)
		lx_bufsize = 2 * LX_REC_MAX;
	if (lx_bufsize > LX_BUFSIZE_MAX)
		return -EINVAL;
	spin_lock_init(&ring.lock);
	mutex_init(&ring.read_mutex);
	init_waitqueue_head(&ring.readq);
	init_waitqueue_head(&ring.writeq);
	timer_setup(&ring.wake_timer, wake_timer_fn, 0);
	/* a power of two: a position's offset is a mask, not a division */
	ring.size = roundup_pow_of_two(lx_bufsize);
	ring.limit = lx_bufsize;
	ring.buf = vmalloc(ring.size);
	return ring.buf ? 0 : -ENOMEM;
}

/*
 * The last step of loading: once /dev/lxbsm is there, a process may hold
 * it open, so nothing after this may fail.
 */
int lx_dev_register(void)
{
	return misc_register(&lx_misc);
}

/*
 * After the probes are gone (and the device, if it was registered: an
 * open file holds the module, so none is open here): let blocked tasks
 * go, then free.
 */
void lx_dev_exit(void)
{
	WRITE_ONCE(ring.stopping, true);
	wake_up_all(&ring.writeq);
	lx_work_wait(&blocked_pending, &unload_wq);
	timer_delete_sync(&ring.wake_timer);
	vfree(ring.buf);
}

void lx_dev_unregister(void)
{
	misc_deregister(&lx_misc);
}
