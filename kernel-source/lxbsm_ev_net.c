// SPDX-License-Identifier: GPL-2.0
/*
 * lxbsm_ev_net.c - the records of sockets: socket, bind, connect, listen,
 * accept, messages; the peer of an accepted connection.
 */
#include <linux/kernel.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/fs.h>
#include <linux/file.h>
#include <linux/fdtable.h>
#include <linux/fcntl.h>
#include <linux/binfmts.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task_stack.h>
#include <linux/pid.h>
#include <linux/net.h>
#include <linux/socket.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/uaccess.h>
#include <linux/compat.h>
#include <linux/magic.h>
#include <linux/audit.h>
#include <linux/cred.h>
#include <linux/ptrace.h>
#include <linux/namei.h>
#include <linux/task_work.h>
#include <linux/wait.h>
#include <linux/net.h>
#include <net/sock.h>
#include <net/inet_sock.h>
#include <asm/syscall.h>
#include <asm/unistd.h>
#include "lxbsm_ev.h"

/* sockets */

static void put_user_sockaddr(struct lx_ctx *c, unsigned long up, long len)
{
	if (!up || len <= 0)
		return;
	if (len > sizeof(struct sockaddr_storage))
		len = sizeof(struct sockaddr_storage);
	if (copy_from_user_nofault(c->s->tmp, (void __user *)up, len))
		return;
	lx_put_sockaddr(&c->r, c->s->tmp, len);
}

static void put_sock(struct lx_ctx *c, int fd)
{
	struct socket *sock;
	int err;

	sock = sockfd_lookup(fd, &err);
	if (!sock)
		return;
	lx_put_socket_ex(&c->r, sock);
	sockfd_put(sock);
}

/* The peer of an accepted inet connection, for the session's terminal. */
static void note_peer(int fd)
{
	struct lx_termid peer = { 0 };
	struct socket *sock;
	struct sock *sk;
	int err;

	sock = sockfd_lookup(fd, &err);
	if (!sock)
		return;
	sk = sock->sk;
	if (sk && sk->sk_family == AF_INET) {
		__be32 a = READ_ONCE(inet_sk(sk)->inet_daddr);

		peer.type = AU_IPV4;
		memcpy(peer.addr, &a, 4);
		peer.port = ntohs(READ_ONCE(inet_sk(sk)->inet_dport));
		lx_proc_set_peer(current, &peer);
#if IS_ENABLED(CONFIG_IPV6)
	} else if (sk && sk->sk_family == AF_INET6) {
		peer.type = AU_IPV6;
		memcpy(peer.addr, &sk->sk_v6_daddr, 16);
		peer.port = ntohs(READ_ONCE(inet_sk(sk)->inet_dport));
		lx_proc_set_peer(current, &peer);
#endif
	}
	sockfd_put(sock);
}

void lx_h_socket(struct lx_ctx *c)
{
	if (!lx_selected(LXE_SOCKET, lx_failed(c)))
		return;
	lx_begin(c, LXE_SOCKET);
	lx_put_arg32(&c->r, 1, lx_domain_to_bsm(c->a[0]), "domain");
	lx_put_arg32(&c->r, 2, lx_socktype_to_bsm(c->a[1]), "type");
	lx_put_arg32(&c->r, 3, c->a[2], "protocol");
	lx_emit(c, c->ret);
}

void lx_h_sockaddr(struct lx_ctx *c)
{
	int ev = c->nr == __NR_bind ? LXE_BIND : LXE_CONNECT;

	if (!lx_selected(ev, lx_failed(c)))
		return;
	lx_begin(c, ev);
	lx_put_arg32(&c->r, 1, c->a[0], "fd");
	put_user_sockaddr(c, c->a[1], (int)c->a[2]);
	put_sock(c, c->a[0]);
	lx_emit(c, c->ret);
}

void lx_h_listen(struct lx_ctx *c)
{
	if (!lx_selected(LXE_LISTEN, lx_failed(c)))
		return;
	lx_begin(c, LXE_LISTEN);
	lx_put_arg32(&c->r, 1, c->a[0], "fd");
	lx_put_arg32(&c->r, 2, c->a[1], "backlog");
	put_sock(c, c->a[0]);
	lx_emit(c, c->ret);
}

void lx_h_accept(struct lx_ctx *c)
{
	if (c->ret >= 0)
		note_peer(c->ret);
	if (!lx_selected(LXE_ACCEPT, lx_failed(c)))
		return;
	lx_begin(c, LXE_ACCEPT);
	lx_put_arg32(&c->r, 1, c->a[0], "fd");
	if (c->ret >= 0)
		put_sock(c, c->ret);
	lx_emit(c, c->ret);
}

void lx_h_msg(struct lx_ctx *c)
{
	int ev;
	int len;

	switch (c->nr) {
	case __NR_recvmsg:
		ev = LXE_RECVMSG;
		break;
	case __NR_sendmsg:
		ev = LXE_SENDMSG;
		break;
	case __NR_recvfrom:
		ev = LXE_RECVFROM;
		break;
	default:
		ev = LXE_SENDTO;
		break;
	}
	if (!lx_selected(ev, lx_failed(c)))
		return;
	/* a blocked peer's data: lxbsm_block.c recorded the denial */
	if ((ev == LXE_RECVMSG || ev == LXE_RECVFROM) &&
	    lx_block_denied(c->a[0], c->ret))
		return;
	lx_begin(c, ev);
	lx_put_arg32(&c->r, 1, c->a[0], "fd");
	if (ev == LXE_RECVMSG || ev == LXE_SENDMSG) {
		struct user_msghdr mh;

		if (!copy_from_user_nofault(&mh, (void __user *)c->a[1],
					    sizeof(mh)))
			put_user_sockaddr(c, (unsigned long)mh.msg_name,
					  mh.msg_namelen);
	} else if (ev == LXE_SENDTO) {
		put_user_sockaddr(c, c->a[4], (int)c->a[5]);
	} else if (c->a[5] && !copy_from_user_nofault(&len,
				(void __user *)c->a[5], sizeof(len))) {
		put_user_sockaddr(c, c->a[4], len);
	}
	put_sock(c, c->a[0]);
	lx_emit(c, c->ret);
}
