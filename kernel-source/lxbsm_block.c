// SPDX-License-Identifier: GPL-2.0
/*
 * lxbsm_block.c - data from remote addresses on the block list, denied
 * and recorded.
 *
 * A loadable module cannot add LSM hooks (their lists are read-only after
 * boot), so the two security hooks that see received data are redirected
 * with ftrace, as lxbsm_uring.c redirects the io_uring calls and as
 * livepatch does (FTRACE_OPS_FL_IPMODIFY):
 *
 * - security_socket_recvmsg(), which every recvmsg, recvmmsg, recvfrom,
 *   recv, read and readv on a socket passes: on a connected inet socket
 *   whose peer is blocked, a stand-in records the denial in the caller's
 *   context and returns EACCES in the hook's place;
 * - security_sock_rcv_skb(), which every datagram passes on its way into
 *   a socket's queue: to an unconnected UDP socket, one from a blocked
 *   source is dropped (the stand-in returns EACCES, the hook's caller
 *   frees it); its record is made in softirq context and queued by a work
 *   item, since the ring's lock is not taken with bottom halves off.
 *
 * The callbacks decide; the matched rule reaches the stand-in as an extra
 * argument (held by a reference), so that what is recorded is what
 * decided.  The ops are registered only while some rule exists: with an
 * empty list the hooks run untouched.
 *
 * Rules live in one hash table keyed by (family, prefix length, masked
 * address, port), with a bitmap per family of the prefix lengths in use: a
 * lookup tries each length in use, longest first, the peer's port before
 * any port, at most 2 * 33 or 2 * 129 hash probes however many rules.
 * Before the probes of a length, a counting filter of the (family,
 * length, masked address) triples the rules hold, indexed by a multiply
 * hash of a few words, says whether any rule can match there: for a peer
 * no rule holds (nearly every call) a length costs a mask, a multiply and
 * a load, and the table is not touched.
 */
#include <linux/kernel.h>
#include <linux/compat.h>
#include <linux/ftrace.h>
#include <linux/hash.h>
#include <linux/hashtable.h>
#include <linux/jhash.h>
#include <linux/llist.h>
#include <linux/mutex.h>
#include <linux/net.h>
#include <linux/ptrace.h>
#include <linux/random.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/sched.h>
#include <linux/sched/task_stack.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/if_ether.h>
#include <net/sock.h>
#include <net/inet_sock.h>
#include <net/ipv6.h>
#include <asm/syscall.h>
#include <asm/unistd.h>
#include "lxbsm_int.h"

#define AUE_READV	198
/* the room a denial record takes at most (socket_ex with IPv6: 41 bytes) */
#define LX_DENIAL_MAX	320
/* datagram records waiting for the work item; past this, counted as lost */
#define LX_DGRAM_PENDING_MAX	4096

enum { FAM4, FAM6, NFAM };
static const unsigned int fam_bits[NFAM] = { 32, 128 };

struct lx_block_key {
	u8 addr[16];		/* masked to the prefix */
	u16 port;		/* 0: any */
	u8 fam;			/* FAM4 or FAM6 */
	u8 prefix;
};

struct lx_block_rule {
	struct hlist_node node;
	struct rcu_head rcu;
	refcount_t ref;		/* the table's, and each stand-in's */
	atomic64_t denials;
	struct lx_block_key key;
	u32 id;
};

/* A peer or datagram source: an IPv4-mapped IPv6 address is IPv4. */
struct lx_peer {
	u8 addr[16];
	u16 port;
	u8 fam;
};

static DEFINE_HASHTABLE(rules, 14);
/* slots of the counting filter: eight per rule at the most rules */
#define LX_FILTER_BITS	17
static u16 filter[1 << LX_FILTER_BITS];
static DEFINE_MUTEX(rules_mutex);
static u32 hash_seed __read_mostly;
static unsigned int nrules;
static unsigned int plen_rules[NFAM][129];
/* of those, the rules for one port: without any, a lookup skips that probe */
static unsigned int plen_ported[NFAM][129];
static DECLARE_BITMAP(plen_used4, 33);
static DECLARE_BITMAP(plen_used6, 129);
static unsigned long *const plen_used[NFAM] = { plen_used4, plen_used6 };

static unsigned long block_denials;
module_param_named(block_denials, block_denials, ulong, 0444);
MODULE_PARM_DESC(block_denials, "read-only: calls and datagrams denied by the block list");
static bool hooks_on;
module_param_named(block_hooks, hooks_on, bool, 0444);
MODULE_PARM_DESC(block_hooks, "read-only: the block list's hooks are in place");

static u32 key_hash(const struct lx_block_key *k)
{
	return jhash(k, sizeof(*k), hash_seed);
}

/* The key of the peers in addr/prefix on port (the address masked). */
static void make_key(struct lx_block_key *k, u8 fam, unsigned int prefix,
		     const u8 *addr, u16 port)
{
	unsigned int i, bits;

	memset(k, 0, sizeof(*k));
	for (i = 0; i < fam_bits[fam] / 8 && i * 8 < prefix; i++) {
		bits = min(prefix - i * 8, 8u);
		k->addr[i] = addr[i] & (u8)(0xff << (8 - bits));
	}
	k->port = port;
	k->fam = fam;
	k->prefix = prefix;
}

static struct lx_block_rule *find(const struct lx_block_key *k)
{
	struct lx_block_rule *r;

	hash_for_each_possible_rcu(rules, r, node, key_hash(k),
				   lockdep_is_held(&rules_mutex))
		if (!memcmp(&r->key, k, sizeof(*k)))
			return r;
	return NULL;
}

/* The filter slot of family fam, length prefix, masked address words w. */
static unsigned int filter_slot(u8 fam, unsigned int prefix, const u32 *w)
{
	unsigned int i, n = fam == FAM4 ? 1 : 4;
	u32 h = hash_seed ^ (prefix << 8 | fam);

	for (i = 0; i < n; i++)
		h = (h ^ w[i]) * GOLDEN_RATIO_32 + (h >> 16);
	return h >> (32 - LX_FILTER_BITS);
}

static unsigned int key_slot(const struct lx_block_key *k)
{
	u32 w[4];

	memcpy(w, k->addr, sizeof(w));
	return filter_slot(k->fam, k->prefix, w);
}

/* The first prefix bits of a (network order) word of an address. */
static u32 masked_word(u32 word, int prefix)
{
	if (prefix <= 0)
		return 0;
	if (prefix >= 32)
		return word;
	return word & cpu_to_be32(~0u << (32 - prefix));
}

/* The rule for peer p at prefix length len: its port's, else any port's. */
static struct lx_block_rule *probe(const struct lx_peer *p, unsigned int len)
{
	struct lx_block_rule *r = NULL;
	struct lx_block_key k;

	make_key(&k, p->fam, len, p->addr, p->port);
	if (p->port && READ_ONCE(plen_ported[p->fam][len]))
		r = find(&k);
	if (!r) {
		k.port = 0;
		r = find(&k);
	}
	return r;
}

/*
 * IPv4, the common case, in one word: the lengths in use are the bits of
 * plen_used4's word, the masked address a single AND.
 */
static struct lx_block_rule *match4(const struct lx_peer *p)
{
	unsigned long lens = READ_ONCE(plen_used4[0]);
	struct lx_block_rule *r;
	unsigned int len;
	u32 addr, w;

	BUILD_BUG_ON(BITS_PER_LONG < 33);
	memcpy(&addr, p->addr, sizeof(addr));
	while (lens) {
		len = __fls(lens);
		lens &= ~BIT(len);
		w = masked_word(addr, len);
		if (!READ_ONCE(filter[filter_slot(FAM4, len, &w)]))
			continue;
		r = probe(p, len);
		if (r)
			return r;
	}
	return NULL;
}

/* The rule deciding for peer p (under RCU), or NULL. */
static struct lx_block_rule *match(const struct lx_peer *p)
{
	const unsigned long *used = plen_used6;
	unsigned int lim = fam_bits[FAM6] + 1, len, i;
	struct lx_block_rule *r;
	u32 addr[4], w[4];

	if (p->fam == FAM4)
		return match4(p);
	memcpy(addr, p->addr, sizeof(addr));
	for (; lim && (len = find_last_bit(used, lim)) < lim; lim = len) {
		for (i = 0; i < 4; i++)
			w[i] = masked_word(addr[i], (int)len - 32 * (int)i);
		if (!READ_ONCE(filter[filter_slot(FAM6, len, w)]))
			continue;
		r = probe(p, len);
		if (r)
			return r;
	}
	return NULL;
}

static struct lx_block_rule *hold_match(const struct lx_peer *p)
{
	struct lx_block_rule *r;

	rcu_read_lock();
	r = match(p);
	if (r && !refcount_inc_not_zero(&r->ref))
		r = NULL;
	rcu_read_unlock();
	return r;
}

static void rule_put(struct lx_block_rule *r)
{
	if (refcount_dec_and_test(&r->ref))
		kfree_rcu(r, rcu);
}

static void peer_v4(struct lx_peer *p, __be32 addr, __be16 port)
{
	memset(p, 0, sizeof(*p));
	memcpy(p->addr, &addr, 4);
	p->port = ntohs(port);
	p->fam = FAM4;
}

static void peer_v6(struct lx_peer *p, const struct in6_addr *addr,
		    __be16 port)
{
	if (ipv6_addr_v4mapped(addr)) {
		peer_v4(p, addr->s6_addr32[3], port);
		return;
	}
	memcpy(p->addr, addr, 16);
	p->port = ntohs(port);
	p->fam = FAM6;
}

/* The remote end of a connected inet socket made by user space. */
static bool sock_peer(const struct sock *sk, struct lx_peer *p)
{
	const struct inet_sock *inet;
	__be32 a;

	if (!sk || sk->sk_kern_sock)
		return false;
	inet = inet_sk(sk);
	switch (READ_ONCE(sk->sk_family)) {
	case AF_INET:
		a = READ_ONCE(inet->inet_daddr);
		if (!a)
			return false;
		peer_v4(p, a, READ_ONCE(inet->inet_dport));
		return true;
#if IS_ENABLED(CONFIG_IPV6)
	case AF_INET6:
		if (ipv6_addr_any(&sk->sk_v6_daddr))
			return false;
		peer_v6(p, &sk->sk_v6_daddr, READ_ONCE(inet->inet_dport));
		return true;
#endif
	}
	return false;
}

/* The source of a datagram for an unconnected UDP socket. */
static bool dgram_source(const struct sock *sk, const struct sk_buff *skb,
			 struct lx_peer *p)
{
	__be16 sport;

	if (sk->sk_kern_sock || READ_ONCE(sk->sk_type) != SOCK_DGRAM ||
	    (sk->sk_protocol != IPPROTO_UDP &&
	     sk->sk_protocol != IPPROTO_UDPLITE) ||
	    !skb_transport_header_was_set(skb))
		return false;
	sport = udp_hdr(skb)->source;
	switch (READ_ONCE(sk->sk_family)) {
	case AF_INET:
		if (READ_ONCE(inet_sk(sk)->inet_daddr))
			return false;
		break;
#if IS_ENABLED(CONFIG_IPV6)
	case AF_INET6:
		if (!ipv6_addr_any(&sk->sk_v6_daddr))
			return false;
		break;
#endif
	default:
		return false;
	}
	if (skb->protocol == htons(ETH_P_IP)) {
		peer_v4(p, ip_hdr(skb)->saddr, sport);
		return true;
	}
#if IS_ENABLED(CONFIG_IPV6)
	if (skb->protocol == htons(ETH_P_IPV6)) {
		peer_v6(p, &ipv6_hdr(skb)->saddr, sport);
		return true;
	}
#endif
	return false;
}

/* "lxbsm: blocked by rule ID: NET/PREFIX[ port PORT]" */
static void put_rule_text(struct lx_rec *r, const struct lx_block_rule *rule)
{
	const struct lx_block_key *k = &rule->key;
	char text[96];
	int n;

	if (k->fam == FAM4)
		n = snprintf(text, sizeof(text), "lxbsm: blocked by rule %u: %pI4/%u",
			     rule->id, k->addr, k->prefix);
	else
		n = snprintf(text, sizeof(text), "lxbsm: blocked by rule %u: %pI6c/%u",
			     rule->id, k->addr, k->prefix);
	if (k->port)
		snprintf(text + n, sizeof(text) - n, " port %u", k->port);
	lx_put_text(r, text);
}

static void count_denial(struct lx_block_rule *rule)
{
	atomic64_inc(&rule->denials);
	/* a statistic: a lost increment under a race is harmless */
	WRITE_ONCE(block_denials, block_denials + 1);
}

#ifdef CONFIG_IA32_EMULATION
/* The event of a 32-bit call, and its fd (or -1). */
static u16 denied_call32(struct pt_regs *regs, int *fd)
{
	u32 args[1];

	*fd = (u32)regs->bx;
	switch (syscall_get_nr(current, regs)) {
	case __NR_ia32_read:
		return lx_events[LXE_READ].bsm;
	case __NR_ia32_readv:
		return AUE_READV;
	case __NR_ia32_recvfrom:
		return lx_events[LXE_RECVFROM].bsm;
	case __NR_ia32_recvmsg:
	case __NR_ia32_recvmmsg:
	case __NR_ia32_recvmmsg_time64:
		return lx_events[LXE_RECVMSG].bsm;
	case __NR_ia32_socketcall:
		/* the arguments are an array of u32 in memory */
		*fd = -1;
		if (!copy_from_user_nofault(args, compat_ptr(regs->cx),
					    sizeof(args)))
			*fd = args[0];
		switch (regs->bx) {
		case SYS_RECV:
		case SYS_RECVFROM:
			return lx_events[LXE_RECVFROM].bsm;
		default:
			return lx_events[LXE_RECVMSG].bsm;
		}
	}
	*fd = -1;
	return lx_events[LXE_RECVMSG].bsm;
}
#endif

/*
 * The event the denied call stands for, and its fd (or -1): read and
 * readv reach the hook through the socket's read_iter.
 */
static u16 denied_call(int *fd)
{
	struct pt_regs *regs = task_pt_regs(current);

#ifdef CONFIG_IA32_EMULATION
	if (in_ia32_syscall())
		return denied_call32(regs, fd);
#endif
	*fd = (int)regs->di;
	switch (syscall_get_nr(current, regs)) {
	case __NR_read:
		return lx_events[LXE_READ].bsm;
	case __NR_readv:
		return AUE_READV;
	case __NR_recvfrom:
		return lx_events[LXE_RECVFROM].bsm;
	case __NR_recvmsg:
	case __NR_recvmmsg:
		return lx_events[LXE_RECVMSG].bsm;
	}
	/* another way into sock_recvmsg(): the call's arguments are not known */
	*fd = -1;
	return lx_events[LXE_RECVMSG].bsm;
}

/*
 * In security_socket_recvmsg()'s place, in the caller's context: record
 * the denial and fail the call.  @rule was held by the callback.
 */
static int recv_denied(struct socket *sock, struct msghdr *msg, int size,
		       int flags, struct lx_block_rule *rule)
{
	struct lx_rec r;
	u8 buf[LX_DENIAL_MAX];
	u16 event;
	int fd;

	event = denied_call(&fd);
	lx_rec_init(&r, buf, sizeof(buf));
	lx_put_header(&r, event);
	lx_put_subject(&r, current);
	if (fd >= 0)
		lx_put_arg32(&r, 1, fd, "fd");
	lx_put_socket_ex(&r, sock);
	put_rule_text(&r, rule);
	count_denial(rule);
	rule_put(rule);
	lx_enqueue(buf, lx_rec_finish(&r, -EACCES));
	return -EACCES;
}

static void notrace recv_gate(unsigned long ip, unsigned long parent_ip,
			      struct ftrace_ops *ops,
			      struct ftrace_regs *fregs)
{
	struct pt_regs *regs = ftrace_get_regs(fregs);
	struct lx_block_rule *rule;
	struct socket *sock;
	struct lx_peer peer;

	if (!regs || (current->flags & PF_KTHREAD))
		return;
	sock = (struct socket *)regs_get_kernel_argument(regs, 0);
	if (!sock || !sock_peer(READ_ONCE(sock->sk), &peer))
		return;
	rule = hold_match(&peer);
	if (!rule)
		return;
	/* the stand-in's fifth argument (x86-64 calling convention: r8) */
	regs->r8 = (unsigned long)rule;
	ftrace_instruction_pointer_set(fregs, (unsigned long)recv_denied);
}

/* Datagram records made in softirq context, queued by dgram_work. */
struct lx_dgram_rec {
	struct llist_node node;
	u32 len;
	u8 rec[];
};

static LLIST_HEAD(dgram_recs);
static atomic_t dgram_pending = ATOMIC_INIT(0);
static atomic_t dgram_lost = ATOMIC_INIT(0);

static void dgram_flush(struct work_struct *w)
{
	struct llist_node *all = llist_reverse_order(llist_del_all(&dgram_recs));
	struct lx_dgram_rec *d, *next;
	int lost;

	llist_for_each_entry_safe(d, next, all, node) {
		lx_enqueue(d->rec, d->len);
		kfree(d);
		atomic_dec(&dgram_pending);
	}
	lost = atomic_xchg(&dgram_lost, 0);
	if (lost)
		lx_count_lost(lost);
}

static DECLARE_WORK(dgram_work, dgram_flush);

/*
 * The record of a dropped datagram: no task asked for it, so no subject;
 * the uid that owns the socket, the socket with the source as its remote
 * end, the rule.
 */
static void record_dgram(const struct sock *sk, const struct sk_buff *skb,
			 const struct lx_block_rule *rule)
{
	const struct inet_sock *inet = inet_sk(sk);
	__be16 sport = udp_hdr(skb)->source;
	struct lx_dgram_rec *d;
	struct lx_rec r;

	if (atomic_inc_return(&dgram_pending) > LX_DGRAM_PENDING_MAX)
		goto lost;
	d = kmalloc(sizeof(*d) + LX_DENIAL_MAX, GFP_ATOMIC | __GFP_NOWARN);
	if (!d)
		goto lost;
	lx_rec_init(&r, d->rec, LX_DENIAL_MAX);
	lx_put_header(&r, LXBSM_BLOCK_DGRAM_EVENT);
	lx_put_arg32(&r, 1, from_kuid(&init_user_ns, sk->sk_uid), "owner uid");
	if (sk->sk_family == AF_INET) {
		__be32 la = READ_ONCE(inet->inet_rcv_saddr);

		lx_put_socket_ex_addrs(&r, AF_INET, SOCK_DGRAM,
				       READ_ONCE(inet->inet_sport), &la,
				       sport, &ip_hdr(skb)->saddr);
	} else {
#if IS_ENABLED(CONFIG_IPV6)
		struct in6_addr src6;

		if (skb->protocol == htons(ETH_P_IP))
			ipv6_addr_set_v4mapped(ip_hdr(skb)->saddr, &src6);
		else
			src6 = ipv6_hdr(skb)->saddr;
		lx_put_socket_ex_addrs(&r, AF_INET6, SOCK_DGRAM,
				       READ_ONCE(inet->inet_sport),
				       &sk->sk_v6_rcv_saddr, sport, &src6);
#endif
	}
	put_rule_text(&r, rule);
	d->len = lx_rec_finish(&r, -EACCES);
	llist_add(&d->node, &dgram_recs);
	schedule_work(&dgram_work);
	return;
lost:
	atomic_dec(&dgram_pending);
	atomic_inc(&dgram_lost);
	schedule_work(&dgram_work);
}

/* In security_sock_rcv_skb()'s place: the datagram is not delivered. */
static int dgram_denied(struct sock *sk, struct sk_buff *skb,
			struct lx_block_rule *rule)
{
	record_dgram(sk, skb, rule);
	count_denial(rule);
	rule_put(rule);
	return -EACCES;
}

static void notrace dgram_gate(unsigned long ip, unsigned long parent_ip,
			       struct ftrace_ops *ops,
			       struct ftrace_regs *fregs)
{
	struct pt_regs *regs = ftrace_get_regs(fregs);
	struct lx_block_rule *rule;
	struct sk_buff *skb;
	struct lx_peer src;
	struct sock *sk;

	if (!regs)
		return;
	sk = (struct sock *)regs_get_kernel_argument(regs, 0);
	skb = (struct sk_buff *)regs_get_kernel_argument(regs, 1);
	if (!sk || !skb || !dgram_source(sk, skb, &src))
		return;
	rule = hold_match(&src);
	if (!rule)
		return;
	/* the stand-in's third argument (x86-64 calling convention: rdx) */
	regs->dx = (unsigned long)rule;
	ftrace_instruction_pointer_set(fregs, (unsigned long)dgram_denied);
}

static struct ftrace_ops recv_ops = {
	.func = recv_gate,
	.flags = FTRACE_OPS_FL_SAVE_REGS | FTRACE_OPS_FL_IPMODIFY |
		 FTRACE_OPS_FL_RECURSION,
};

static struct ftrace_ops dgram_ops = {
	.func = dgram_gate,
	.flags = FTRACE_OPS_FL_SAVE_REGS | FTRACE_OPS_FL_IPMODIFY |
		 FTRACE_OPS_FL_RECURSION,
};

static bool filters_set;

/* Under rules_mutex: the hooks in place while some rule exists. */
static int hooks_update(void)
{
	int err;

	if (!nrules == !hooks_on)
		return 0;
	if (!nrules) {
		unregister_ftrace_function(&recv_ops);
		unregister_ftrace_function(&dgram_ops);
		WRITE_ONCE(hooks_on, false);
		return 0;
	}
	if (!filters_set)
		return -EOPNOTSUPP;
	err = register_ftrace_function(&recv_ops);
	if (err)
		return err;
	err = register_ftrace_function(&dgram_ops);
	if (err) {
		unregister_ftrace_function(&recv_ops);
		return err;
	}
	WRITE_ONCE(hooks_on, true);
	return 0;
}

static int key_of(const struct lxbsm_block_rule *u, struct lx_block_key *k)
{
	u8 fam;

	if (u->family == AF_INET)
		fam = FAM4;
	else if (u->family == AF_INET6)
		fam = FAM6;
	else
		return -EINVAL;
	if (u->prefix > fam_bits[fam] || u->port > 65535)
		return -EINVAL;
	make_key(k, fam, u->prefix, u->addr, u->port);
	/* bits past the prefix are a mistake in the caller's rule */
	if (memcmp(k->addr, u->addr, 16))
		return -EINVAL;
	return 0;
}

/* Counts a rule in or out of the lengths in use and the filter. */
static void plen_add(const struct lx_block_key *k, int d)
{
	u16 *slot = &filter[key_slot(k)];

	WRITE_ONCE(*slot, *slot + d);
	if (k->port)
		WRITE_ONCE(plen_ported[k->fam][k->prefix],
			   plen_ported[k->fam][k->prefix] + d);
	plen_rules[k->fam][k->prefix] += d;
	if (plen_rules[k->fam][k->prefix])
		set_bit(k->prefix, plen_used[k->fam]);
	else
		clear_bit(k->prefix, plen_used[k->fam]);
}

static void unlink_rule(struct lx_block_rule *r)
{
	hash_del_rcu(&r->node);
	plen_add(&r->key, -1);
	nrules--;
	rule_put(r);
}

int lx_block_add(const struct lxbsm_block_rule *u)
{
	struct lx_block_rule *r;
	int err;

	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	err = key_of(u, &r->key);
	if (err)
		goto free;
	r->id = u->id;
	refcount_set(&r->ref, 1);
	atomic64_set(&r->denials, 0);
	mutex_lock(&rules_mutex);
	if (find(&r->key)) {
		err = -EEXIST;
	} else if (nrules >= LXBSM_MAX_BLOCK_RULES) {
		err = -ENOSPC;
	} else {
		hash_add_rcu(rules, &r->node, key_hash(&r->key));
		plen_add(&r->key, 1);
		nrules++;
		err = hooks_update();
		if (err) {
			unlink_rule(r);
			mutex_unlock(&rules_mutex);
			return err;
		}
	}
	mutex_unlock(&rules_mutex);
	if (!err)
		return 0;
free:
	kfree(r);
	return err;
}

int lx_block_del(const struct lxbsm_block_rule *u)
{
	struct lx_block_key k;
	struct lx_block_rule *r;
	int err = key_of(u, &k);

	if (err)
		return err;
	mutex_lock(&rules_mutex);
	r = find(&k);
	if (r) {
		unlink_rule(r);
		hooks_update();
	} else {
		err = -ENOENT;
	}
	mutex_unlock(&rules_mutex);
	return err;
}

void lx_block_clear(void)
{
	struct lx_block_rule *r;
	struct hlist_node *tmp;
	int bkt;

	mutex_lock(&rules_mutex);
	hash_for_each_safe(rules, bkt, tmp, r, node)
		unlink_rule(r);
	hooks_update();
	mutex_unlock(&rules_mutex);
}

/* Copy up to l->count rules to user space; l->count and l->total are set. */
int lx_block_get(struct lxbsm_block_list *l)
{
	struct lxbsm_block_rule __user *out = u64_to_user_ptr(l->rules);
	struct lxbsm_block_rule u;
	struct lx_block_rule *r;
	u32 n = 0;
	int bkt, err = 0;

	mutex_lock(&rules_mutex);
	hash_for_each(rules, bkt, r, node) {
		if (n == l->count)
			break;
		memset(&u, 0, sizeof(u));
		u.family = r->key.fam == FAM4 ? AF_INET : AF_INET6;
		u.prefix = r->key.prefix;
		memcpy(u.addr, r->key.addr, 16);
		u.port = r->key.port;
		u.id = r->id;
		u.denials = atomic64_read(&r->denials);
		if (copy_to_user(out + n, &u, sizeof(u))) {
			err = -EFAULT;
			break;
		}
		n++;
	}
	l->count = n;
	l->total = nrules;
	mutex_unlock(&rules_mutex);
	return err;
}

/*
 * Without the redirect (another IPMODIFY user on these hooks, or no such
 * functions) the module still loads; adding a rule then fails with
 * EOPNOTSUPP.
 */
void lx_block_init(void)
{
	static const char recv_fn[] = "security_socket_recvmsg";
	static const char dgram_fn[] = "security_sock_rcv_skb";
	int err;

	hash_seed = get_random_u32();
	err = ftrace_set_filter(&recv_ops, (unsigned char *)recv_fn,
				strlen(recv_fn), 0);
	if (!err)
		err = ftrace_set_filter(&dgram_ops, (unsigned char *)dgram_fn,
					strlen(dgram_fn), 0);
	if (err) {
		ftrace_free_filter(&recv_ops);
		ftrace_free_filter(&dgram_ops);
		pr_warn(LXBSM_NAME ": no block list: cannot redirect the socket hooks (%d)\n",
			err);
		return;
	}
	filters_set = true;
}

/* After the device is gone: no rule can be added any more. */
void lx_block_exit(void)
{
	lx_block_clear();
	/*
	 * No stand-in is left running once every task has passed a voluntary
	 * switch (recv_denied) and every softirq has ended (dgram_denied);
	 * then no work can be scheduled, and the last one is flushed.
	 */
	synchronize_rcu_tasks();
	synchronize_rcu();
	flush_work(&dgram_work);
	if (filters_set) {
		ftrace_free_filter(&recv_ops);
		ftrace_free_filter(&dgram_ops);
		filters_set = false;
	}
}

/*
 * For the sys_exit records: is this failure of a call on fd a denial,
 * recorded already?  (A rule removed in between gives a second record.)
 */
bool lx_block_denied(int fd, long ret)
{
	struct lx_peer peer;
	struct socket *sock;
	bool denied = false;
	int err;

	if (ret != -EACCES || !READ_ONCE(hooks_on))
		return false;
	sock = sockfd_lookup(fd, &err);
	if (!sock)
		return false;
	if (sock_peer(READ_ONCE(sock->sk), &peer)) {
		rcu_read_lock();
		denied = match(&peer) != NULL;
		rcu_read_unlock();
	}
	sockfd_put(sock);
	return denied;
}
