// SPDX-License-Identifier: GPL-2.0
/*
 * netblock - the guest's test of lxbsm's block list (see guest/init): it
 * sets rules through /dev/lxbsm (opened write-only, beside lxbsmd), makes
 * connections and datagrams from blocked and allowed loopback addresses,
 * and prints one "PASS ..." or "FAIL ..." line per check, and at the end
 * "denials ID N" for each rule, as the device counts them.  The host
 * checks that the trail holds exactly that many denial records per rule.
 *
 *   netblock run        the checks; exits 1 if one failed
 *   netblock across ADDR  a connection from ADDR (not blocked): its bytes
 *                       arrive; then, after each line on stdin (the shell
 *                       has had lxbsmd reload a block-from: line for ADDR,
 *                       then one without it), its recv is denied, then
 *                       gets the bytes held back
 *   netblock hold       keeps denied reads going on a blocked connection
 *                       (rule 104, peer 127.0.0.6) until killed: the
 *                       module is unloaded under it
 *   netblock load N [FIRST]  adds rules FIRST.. FIRST+N-1 (FIRST 0 if not
 *                       given) of a list none of which holds 127.0.0.1,
 *                       for the bench: IPv4 networks in 10.0.0.0/8 at the
 *                       13 prefix lengths /20../32 in turn, so that a
 *                       lookup tries every length (rule i has id 1000000+i)
 *
 * Rules (ids as in the records' text tokens):
 *   101  127.0.0.2/32, any port       TCP peer: recv, read, readv, recvmsg
 *   102  ::1/128 port 40001           IPv6 TCP peer
 *   103  127.0.0.5/32 port 40005      UDP source of an unconnected socket
 *   104  127.0.0.6/32                 hold
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include "../lxbsm.h"

static int failures;

static void check(int cond, const char *what)
{
	printf("%s %s\n", cond ? "PASS" : "FAIL", what);
	fflush(stdout);
	if (!cond)
		failures++;
}

static void die(const char *what)
{
	printf("FAIL %s: %s\n", what, strerror(errno));
	exit(1);
}

static struct lxbsm_block_rule rule4(const char *addr, unsigned int prefix,
				     unsigned int port, unsigned int id)
{
	struct lxbsm_block_rule r;

	memset(&r, 0, sizeof(r));
	r.family = AF_INET;
	r.prefix = prefix;
	inet_pton(AF_INET, addr, r.addr);
	r.port = port;
	r.id = id;
	return r;
}

static struct lxbsm_block_rule rule6(const char *addr, unsigned int prefix,
				     unsigned int port, unsigned int id)
{
	struct lxbsm_block_rule r = rule4("0.0.0.0", prefix, port, id);

	r.family = AF_INET6;
	inet_pton(AF_INET6, addr, r.addr);
	return r;
}

/* ioctl's result: 0 or the errno */
static int ctl(int dev, unsigned long cmd, void *arg)
{
	return ioctl(dev, cmd, arg) ? errno : 0;
}

static int add(int dev, struct lxbsm_block_rule r)
{
	return ctl(dev, LXBSM_IOC_ADD_BLOCK, &r);
}

static int del(int dev, struct lxbsm_block_rule r)
{
	return ctl(dev, LXBSM_IOC_DEL_BLOCK, &r);
}

static void sa4(struct sockaddr_in *a, const char *addr, int port)
{
	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	a->sin_port = htons(port);
	inet_pton(AF_INET, addr, &a->sin_addr);
}

static void sa6(struct sockaddr_in6 *a, const char *addr, int port)
{
	memset(a, 0, sizeof(*a));
	a->sin6_family = AF_INET6;
	a->sin6_port = htons(port);
	inet_pton(AF_INET6, addr, &a->sin6_addr);
}

/* A socket of family/type bound to sa, with a 2 s receive timeout. */
static int bound(int family, int type, const void *sa, socklen_t len)
{
	struct timeval tv = { .tv_sec = 2 };
	int one = 1, fd = socket(family, type, 0);

	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (bind(fd, sa, len))
		die("bind");
	return fd;
}

/*
 * A connection to the listener at srv from a client bound to cli: the
 * client's end in *client, the server's accepted end returned.
 */
static int connection(int listener, int family, const void *srv,
		      const void *cli, socklen_t len, int *client)
{
	struct timeval tv = { .tv_sec = 2 };
	int fd;

	*client = bound(family, SOCK_STREAM, cli, len);
	if (connect(*client, srv, len))
		die("connect");
	fd = accept(listener, NULL, NULL);
	if (fd < 0)
		die("accept");
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

static void send_str(int fd, const char *s)
{
	if (send(fd, s, strlen(s), 0) != (ssize_t)strlen(s))
		die("send");
}

/* recv() of what the peer sent: 1 if it is want. */
static int got(int fd, const char *want)
{
	char buf[64];
	ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);

	if (n < 0)
		return 0;
	buf[n] = '\0';
	return !strcmp(buf, want);
}

/* The five ways to read a socket, each denied with EACCES. */
static void all_denied(int fd, const char *who)
{
	char buf[64], what[128];
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct sockaddr_storage from;
	socklen_t flen = sizeof(from);
	ssize_t n;

	n = recv(fd, buf, sizeof(buf), 0);
	snprintf(what, sizeof(what), "%s: recv fails with EACCES", who);
	check(n < 0 && errno == EACCES, what);
	n = read(fd, buf, sizeof(buf));
	snprintf(what, sizeof(what), "%s: read fails with EACCES", who);
	check(n < 0 && errno == EACCES, what);
	n = readv(fd, &iov, 1);
	snprintf(what, sizeof(what), "%s: readv fails with EACCES", who);
	check(n < 0 && errno == EACCES, what);
	n = recvmsg(fd, &mh, 0);
	snprintf(what, sizeof(what), "%s: recvmsg fails with EACCES", who);
	check(n < 0 && errno == EACCES, what);
	n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen);
	snprintf(what, sizeof(what), "%s: recvfrom fails with EACCES", who);
	check(n < 0 && errno == EACCES, what);
}

static void rule_errors(int dev)
{
	struct lxbsm_block_rule r;

	check(add(dev, rule4("127.0.0.2", 32, 0, 101)) == 0, "rule 101 added");
	check(add(dev, rule4("127.0.0.2", 32, 0, 999)) == EEXIST,
	      "the same network and port again: EEXIST");
	check(add(dev, rule4("127.0.0.1", 8, 0, 999)) == EINVAL,
	      "127.0.0.1/8 (bits past the prefix): EINVAL");
	check(add(dev, rule4("127.0.0.0", 33, 0, 999)) == EINVAL,
	      "prefix 33 for IPv4: EINVAL");
	check(add(dev, rule4("127.0.0.0", 8, 65536, 999)) == EINVAL,
	      "port 65536: EINVAL");
	r = rule4("127.0.0.0", 8, 0, 999);
	r.family = 1;
	check(ctl(dev, LXBSM_IOC_ADD_BLOCK, &r) == EINVAL, "family AF_UNIX: EINVAL");
	check(del(dev, rule4("127.0.0.9", 32, 0, 0)) == ENOENT,
	      "removing a rule that is not there: ENOENT");
	check(ctl(dev, LXBSM_IOC_ADD_BLOCK, NULL) == EFAULT, "a NULL rule: EFAULT");
	check(add(dev, rule6("::1", 128, 40001, 102)) == 0, "rule 102 added");
	check(add(dev, rule4("127.0.0.5", 32, 40005, 103)) == 0, "rule 103 added");
}

static void tcp4(int dev)
{
	struct sockaddr_in srv, blk, okc;
	int lst, a_blk, a_ok, c_blk, c_ok;

	sa4(&srv, "127.0.0.1", 6001);
	sa4(&blk, "127.0.0.2", 0);
	sa4(&okc, "127.0.0.3", 0);
	lst = bound(AF_INET, SOCK_STREAM, &srv, sizeof(srv));
	if (listen(lst, 8))
		die("listen");
	a_blk = connection(lst, AF_INET, &srv, &blk, sizeof(srv), &c_blk);
	a_ok = connection(lst, AF_INET, &srv, &okc, sizeof(srv), &c_ok);
	send_str(c_blk, "blocked");
	send_str(c_ok, "allowed");
	all_denied(a_blk, "peer 127.0.0.2");
	check(got(a_ok, "allowed"), "peer 127.0.0.3: recv gets its bytes");
	/* the rule removed: the same connection's bytes come through */
	check(del(dev, rule4("127.0.0.2", 32, 0, 0)) == 0, "rule 101 removed");
	check(got(a_blk, "blocked"), "rule removed: peer 127.0.0.2's bytes arrive");
	check(add(dev, rule4("127.0.0.2", 32, 0, 101)) == 0, "rule 101 added again");
	send_str(c_blk, "again");
	all_denied(a_blk, "peer 127.0.0.2, rule back");
	/* the server may still write to a blocked peer */
	check(send(a_blk, "out", 3, 0) == 3 && got(c_blk, "out"),
	      "peer 127.0.0.2 still receives what the server sends");
	close(a_blk);
	close(a_ok);
	close(c_blk);
	close(c_ok);
	close(lst);
}

static void tcp6(void)
{
	struct sockaddr_in6 srv, blk, okc;
	int lst, a_blk, a_ok, c_blk, c_ok;

	sa6(&srv, "::1", 6002);
	sa6(&blk, "::1", 40001);
	sa6(&okc, "::1", 40002);
	lst = bound(AF_INET6, SOCK_STREAM, &srv, sizeof(srv));
	if (listen(lst, 8))
		die("listen6");
	a_blk = connection(lst, AF_INET6, &srv, &blk, sizeof(srv), &c_blk);
	a_ok = connection(lst, AF_INET6, &srv, &okc, sizeof(srv), &c_ok);
	send_str(c_blk, "blocked6");
	send_str(c_ok, "allowed6");
	all_denied(a_blk, "peer [::1]:40001");
	check(got(a_ok, "allowed6"), "peer [::1]:40002: recv gets its bytes");
	close(a_blk);
	close(a_ok);
	close(c_blk);
	close(c_ok);
	close(lst);
}

static void udp(void)
{
	struct sockaddr_in srv, blk, okc, from;
	socklen_t flen = sizeof(from);
	int rcv, s_blk, s_ok;
	char buf[16];
	ssize_t n;

	sa4(&srv, "127.0.0.1", 6003);
	sa4(&blk, "127.0.0.5", 40005);
	sa4(&okc, "127.0.0.5", 40006);
	rcv = bound(AF_INET, SOCK_DGRAM, &srv, sizeof(srv));
	s_blk = bound(AF_INET, SOCK_DGRAM, &blk, sizeof(blk));
	s_ok = bound(AF_INET, SOCK_DGRAM, &okc, sizeof(okc));
	if (sendto(s_blk, "x", 1, 0, (struct sockaddr *)&srv, sizeof(srv)) != 1 ||
	    sendto(s_ok, "y", 1, 0, (struct sockaddr *)&srv, sizeof(srv)) != 1)
		die("sendto");
	n = recvfrom(rcv, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen);
	check(n == 1 && buf[0] == 'y' && ntohs(from.sin_port) == 40006,
	      "UDP: the allowed source's datagram is delivered first");
	n = recv(rcv, buf, sizeof(buf), 0);
	check(n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK),
	      "UDP: the datagram from 127.0.0.5:40005 is never delivered");
	close(rcv);
	close(s_blk);
	close(s_ok);
}

static void print_denials(int dev)
{
	struct lxbsm_block_rule rules[16];
	struct lxbsm_block_list l = { .count = 16,
				      .rules = (unsigned long)rules };
	unsigned int i;

	check(ctl(dev, LXBSM_IOC_GET_BLOCK, &l) == 0 && l.total == 3 &&
	      l.count == 3, "the device lists 3 rules");
	for (i = 0; i < l.count; i++)
		printf("denials %u %llu\n", rules[i].id,
		       (unsigned long long)rules[i].denials);
	l.count = 1;
	check(ctl(dev, LXBSM_IOC_GET_BLOCK, &l) == 0 && l.count == 1 &&
	      l.total == 3, "a list of 1 of 3: count 1, total 3");
}

static int run(void)
{
	int dev = open(LXBSM_DEVICE, O_WRONLY);

	if (dev < 0)
		die("open " LXBSM_DEVICE);
	check(ctl(dev, LXBSM_IOC_CLEAR_BLOCK, NULL) == 0, "rules cleared");
	rule_errors(dev);
	tcp4(dev);
	tcp6();
	udp();
	print_denials(dev);
	close(dev);
	return failures ? 1 : 0;
}

static void wait_line(void)
{
	char line[16];

	printf("waiting\n");
	if (!fgets(line, sizeof(line), stdin))
		die("no line on stdin");
}

static int across(const char *addr)
{
	struct sockaddr_in srv, cli;
	char buf[8];
	int lst, a, c;

	sa4(&srv, "127.0.0.1", 6005);
	sa4(&cli, addr, 0);
	lst = bound(AF_INET, SOCK_STREAM, &srv, sizeof(srv));
	if (listen(lst, 1))
		die("listen");
	a = connection(lst, AF_INET, &srv, &cli, sizeof(srv), &c);
	send_str(c, "one");
	check(got(a, "one"), "before the reload: the connection's bytes arrive");
	wait_line();
	send_str(c, "two");
	check(recv(a, buf, sizeof(buf), 0) < 0 && errno == EACCES,
	      "block-from: reloaded by SIGHUP: the same connection's recv fails with EACCES");
	wait_line();
	check(got(a, "two"), "block-from: removed by SIGHUP: the bytes held back arrive");
	return failures ? 1 : 0;
}

/* Denied reads on a connection from 127.0.0.6 (rule 104) until killed. */
static int hold(void)
{
	struct sockaddr_in srv, cli;
	int dev, lst, a, c, i;
	char buf[8];

	dev = open(LXBSM_DEVICE, O_WRONLY);
	if (dev < 0)
		die("open " LXBSM_DEVICE);
	if (add(dev, rule4("127.0.0.6", 32, 0, 104)))
		die("add rule 104");
	close(dev);
	sa4(&srv, "127.0.0.1", 6004);
	sa4(&cli, "127.0.0.6", 0);
	lst = bound(AF_INET, SOCK_STREAM, &srv, sizeof(srv));
	if (listen(lst, 1))
		die("listen");
	a = connection(lst, AF_INET, &srv, &cli, sizeof(srv), &c);
	send_str(c, "held");
	printf("holding\n");
	fflush(stdout);
	/* bounded: 20 minutes at most, longer than the test's boot */
	for (i = 0; i < 12000; i++) {
		const struct timespec ms100 = { 0, 100000000 };

		if (recv(a, buf, sizeof(buf), MSG_DONTWAIT) > 0) {
			printf("held data arrived\n");
			fflush(stdout);
		}
		nanosleep(&ms100, NULL);
	}
	return 0;
}

static int load(long n, long first)
{
	int dev = open("/dev/lxbsm", O_WRONLY);
	long i;

	if (dev < 0)
		die("open /dev/lxbsm");
	for (i = first; i < first + n; i++) {
		/* a distinct network at each length: the index fits its bits */
		unsigned int prefix = 20 + i % 13;
		unsigned int net = 10u << 24 | (unsigned int)(i / 13 + 1) << (32 - prefix);
		struct lxbsm_block_rule r = rule4("0.0.0.0", prefix, 0, 1000000 + i);
		int err;

		net = htonl(net);
		memcpy(r.addr, &net, 4);
		err = add(dev, r);
		if (err) {
			fprintf(stderr, "netblock load: rule %ld: %s\n", i, strerror(err));
			return 1;
		}
	}
	close(dev);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 2 && !strcmp(argv[1], "run"))
		return run();
	if (argc == 2 && !strcmp(argv[1], "hold"))
		return hold();
	if (argc == 3 && !strcmp(argv[1], "across"))
		return across(argv[2]);
	if ((argc == 3 || argc == 4) && !strcmp(argv[1], "load"))
		return load(atol(argv[2]), argc == 4 ? atol(argv[3]) : 0);
	fprintf(stderr, "usage: netblock run | across ADDR | hold | load N [FIRST]\n");
	return 2;
}
