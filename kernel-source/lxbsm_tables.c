// SPDX-License-Identifier: GPL-2.0
/*
 * lxbsm_tables.c - BSM event numbers and classes, and the conversions of
 * Linux errno, socket domain and socket type values to BSM's.
 *
 * The numbers are those of OpenBSM's audit_event, audit_errno.h,
 * audit_domain.h and audit_socket_type.h, as bsm-format's tables list them
 * (bsm-format/src/tables/{errno,socket}.rs).
 */
#include <linux/kernel.h>
#include <linux/errno.h>
#include <linux/socket.h>
#include <linux/net.h>
#include "lxbsm_int.h"

#define FR LXBSM_AC_FR
#define FW LXBSM_AC_FW
#define FA LXBSM_AC_FA
#define FM LXBSM_AC_FM
#define FC LXBSM_AC_FC
#define FD LXBSM_AC_FD
#define CL LXBSM_AC_CL
#define PC LXBSM_AC_PC
#define NT LXBSM_AC_NT
#define AD LXBSM_AC_AD
#define EX LXBSM_AC_EX
#define LO LXBSM_AC_LO

#define EV(idx, num, cls, nm) [idx] = { .bsm = num, .classes = cls, .name = nm }

const struct lx_event_info lx_events[LXE_COUNT] = {
	EV(LXE_EXIT, 1, PC, "AUE_EXIT"),
	EV(LXE_FORK, 2, PC, "AUE_FORK"),
	EV(LXE_VFORK, 25, PC, "AUE_VFORK"),
	EV(LXE_RFORK, 43043, PC, "AUE_RFORK"),
	EV(LXE_EXECVE, 23, PC | EX, "AUE_EXECVE"),
	EV(LXE_EXECVEAT, 43262, PC | EX, "AUE_EXECVEAT"),
	EV(LXE_KILL, 15, PC, "AUE_KILL"),
	EV(LXE_PTRACE, 43002, PC, "AUE_PTRACE"),
	EV(LXE_OPEN_R, 72, FR, "AUE_OPEN_R"),
	EV(LXE_OPEN_RC, 73, FC | FR | FA | FM, "AUE_OPEN_RC"),
	EV(LXE_OPEN_RT, 74, FD | FR | FA | FM, "AUE_OPEN_RT"),
	EV(LXE_OPEN_RTC, 75, FC | FD | FR | FA | FM, "AUE_OPEN_RTC"),
	EV(LXE_OPEN_W, 76, FW, "AUE_OPEN_W"),
	EV(LXE_OPEN_WC, 77, FC | FW | FA | FM, "AUE_OPEN_WC"),
	EV(LXE_OPEN_WT, 78, FD | FW | FA | FM, "AUE_OPEN_WT"),
	EV(LXE_OPEN_WTC, 79, FC | FD | FW | FA | FM, "AUE_OPEN_WTC"),
	EV(LXE_OPEN_RW, 80, FR | FW, "AUE_OPEN_RW"),
	EV(LXE_OPEN_RWC, 81, FC | FW | FR | FA | FM, "AUE_OPEN_RWC"),
	EV(LXE_OPEN_RWT, 82, FD | FR | FW | FA | FM, "AUE_OPEN_RWT"),
	EV(LXE_OPEN_RWTC, 83, FC | FD | FW | FR | FA | FM, "AUE_OPEN_RWTC"),
	EV(LXE_OPENAT_R, 270, FR, "AUE_OPENAT_R"),
	EV(LXE_OPENAT_RC, 271, FC | FR | FA | FM, "AUE_OPENAT_RC"),
	EV(LXE_OPENAT_RT, 272, FD | FR | FA | FM, "AUE_OPENAT_RT"),
	EV(LXE_OPENAT_RTC, 273, FC | FD | FR | FA | FM, "AUE_OPENAT_RTC"),
	EV(LXE_OPENAT_W, 274, FW, "AUE_OPENAT_W"),
	EV(LXE_OPENAT_WC, 275, FC | FW | FA | FM, "AUE_OPENAT_WC"),
	EV(LXE_OPENAT_WT, 276, FD | FW | FA | FM, "AUE_OPENAT_WT"),
	EV(LXE_OPENAT_WTC, 277, FC | FD | FW | FA | FM, "AUE_OPENAT_WTC"),
	EV(LXE_OPENAT_RW, 278, FR | FW, "AUE_OPENAT_RW"),
	EV(LXE_OPENAT_RWC, 279, FC | FW | FR | FA | FM, "AUE_OPENAT_RWC"),
	EV(LXE_OPENAT_RWT, 280, FD | FW | FR | FA | FM, "AUE_OPENAT_RWT"),
	EV(LXE_OPENAT_RWTC, 281, FC | FD | FW | FR | FA | FM, "AUE_OPENAT_RWTC"),
	EV(LXE_CREAT, 4, FC, "AUE_CREAT"),
	EV(LXE_CLOSE, 112, CL, "AUE_CLOSE"),
	/* class "no" in audit_event: deselected until a class is given */
	EV(LXE_READ, 192, 0, "AUE_READ"),
	EV(LXE_WRITE, 195, 0, "AUE_WRITE"),
	EV(LXE_LSEEK, 194, 0, "AUE_LSEEK"),
	EV(LXE_UNLINK, 6, FD, "AUE_UNLINK"),
	EV(LXE_UNLINKAT, 286, FD, "AUE_UNLINKAT"),
	EV(LXE_RENAME, 42, FC | FD, "AUE_RENAME"),
	EV(LXE_RENAMEAT, 282, FC | FD, "AUE_RENAMEAT"),
	EV(LXE_MKDIR, 47, FC, "AUE_MKDIR"),
	EV(LXE_MKDIRAT, 43148, FC, "AUE_MKDIRAT"),
	EV(LXE_RMDIR, 48, FD, "AUE_RMDIR"),
	EV(LXE_CHMOD, 10, FM, "AUE_CHMOD"),
	EV(LXE_FCHMOD, 39, FM, "AUE_FCHMOD"),
	EV(LXE_FCHMODAT, 43146, FM, "AUE_FCHMODAT"),
	EV(LXE_CHOWN, 11, FM, "AUE_CHOWN"),
	EV(LXE_FCHOWN, 38, FM, "AUE_FCHOWN"),
	EV(LXE_LCHOWN, 237, FM, "AUE_LCHOWN"),
	EV(LXE_FCHOWNAT, 284, FM, "AUE_FCHOWNAT"),
	EV(LXE_LINK, 5, FC, "AUE_LINK"),
	EV(LXE_LINKAT, 43147, FC, "AUE_LINKAT"),
	EV(LXE_SYMLINK, 21, FC, "AUE_SYMLINK"),
	EV(LXE_SYMLINKAT, 43152, FC, "AUE_SYMLINKAT"),
	EV(LXE_SETUID, 200, PC, "AUE_SETUID"),
	EV(LXE_SETGID, 205, PC, "AUE_SETGID"),
	EV(LXE_SETREUID, 40, PC, "AUE_SETREUID"),
	EV(LXE_SETREGID, 41, PC, "AUE_SETREGID"),
	EV(LXE_SETRESUID, 43057, PC, "AUE_SETRESUID"),
	EV(LXE_SETRESGID, 43059, PC, "AUE_SETRESGID"),
	EV(LXE_SETAUID, 131, AD, "AUE_SETAUID"),
	/* made by lxbsm_session.c from what login programs and su ask */
	EV(LXE_LOGIN, 6152, LO, "AUE_login"),
	EV(LXE_OPENSSH, 32800, LO, "AUE_openssh"),
	EV(LXE_TELNET, 6154, LO, "AUE_telnet"),
	EV(LXE_RLOGIN, 6155, LO, "AUE_rlogin"),
	EV(LXE_LOGOUT, 6153, LO, "AUE_logout"),
	EV(LXE_SU, 6159, LO, "AUE_su"),
	EV(LXE_MOUNT, 62, AD, "AUE_MOUNT"),
	EV(LXE_UMOUNT2, 268, AD, "AUE_UMOUNT2"),
	EV(LXE_MODLOAD, 243, AD, "AUE_MODLOAD"),
	EV(LXE_MODUNLOAD, 244, AD, "AUE_MODUNLOAD"),
	EV(LXE_SOCKET, 183, NT, "AUE_SOCKET"),
	EV(LXE_BIND, 34, NT, "AUE_BIND"),
	EV(LXE_LISTEN, 43140, NT, "AUE_LISTEN"),
	EV(LXE_CONNECT, 32, NT, "AUE_CONNECT"),
	EV(LXE_ACCEPT, 33, NT, "AUE_ACCEPT"),
	EV(LXE_RECVMSG, 190, NT, "AUE_RECVMSG"),
	EV(LXE_RECVFROM, 191, NT, "AUE_RECVFROM"),
	EV(LXE_SENDMSG, 188, NT, "AUE_SENDMSG"),
	EV(LXE_SENDTO, 184, NT, "AUE_SENDTO"),
	/* the loss notice: never preselected away */
	EV(LXE_LOSS, LXBSM_LOSS_EVENT, 0, "AUE_audit_recovery"),
};

/* The class mask in force per event; LXBSM_IOC_SET_EVENT_CLASS changes it. */
u32 lx_event_class[LXE_COUNT];

int lx_event_by_bsm(u32 bsm)
{
	int i;

	for (i = 0; i < LXE_COUNT; i++)
		if (lx_events[i].bsm == bsm)
			return i;
	return -1;
}

/* BSM status byte for each Linux errno (x86_64 numbering). */
static const u8 errno_to_bsm[] = {
	[0] = 0,	/* ESUCCESS */
	[1] = 1,	/* EPERM */
	[2] = 2,	/* ENOENT */
	[3] = 3,	/* ESRCH */
	[4] = 4,	/* EINTR */
	[5] = 5,	/* EIO */
	[6] = 6,	/* ENXIO */
	[7] = 7,	/* E2BIG */
	[8] = 8,	/* ENOEXEC */
	[9] = 9,	/* EBADF */
	[10] = 10,	/* ECHILD */
	[11] = 11,	/* EAGAIN */
	[12] = 12,	/* ENOMEM */
	[13] = 13,	/* EACCES */
	[14] = 14,	/* EFAULT */
	[15] = 15,	/* ENOTBLK */
	[16] = 16,	/* EBUSY */
	[17] = 17,	/* EEXIST */
	[18] = 18,	/* EXDEV */
	[19] = 19,	/* ENODEV */
	[20] = 20,	/* ENOTDIR */
	[21] = 21,	/* EISDIR */
	[22] = 22,	/* EINVAL */
	[23] = 23,	/* ENFILE */
	[24] = 24,	/* EMFILE */
	[25] = 25,	/* ENOTTY */
	[26] = 26,	/* ETXTBSY */
	[27] = 27,	/* EFBIG */
	[28] = 28,	/* ENOSPC */
	[29] = 29,	/* ESPIPE */
	[30] = 30,	/* EROFS */
	[31] = 31,	/* EMLINK */
	[32] = 32,	/* EPIPE */
	[33] = 33,	/* EDOM */
	[34] = 34,	/* ERANGE */
	[35] = 45,	/* EDEADLK */
	[36] = 78,	/* ENAMETOOLONG */
	[37] = 46,	/* ENOLCK */
	[38] = 89,	/* ENOSYS */
	[39] = 93,	/* ENOTEMPTY */
	[40] = 90,	/* ELOOP */
	[42] = 35,	/* ENOMSG */
	[43] = 36,	/* EIDRM */
	[44] = 37,	/* ECHRNG */
	[45] = 38,	/* EL2NSYNC */
	[46] = 39,	/* EL3HLT */
	[47] = 40,	/* EL3RST */
	[48] = 41,	/* ELNRNG */
	[49] = 42,	/* EUNATCH */
	[50] = 43,	/* ENOCSI */
	[51] = 44,	/* EL2HLT */
	[52] = 50,	/* EBADE */
	[53] = 51,	/* EBADR */
	[54] = 52,	/* EXFULL */
	[55] = 53,	/* ENOANO */
	[56] = 54,	/* EBADRQC */
	[57] = 55,	/* EBADSLT */
	[59] = 57,	/* EBFONT */
	[60] = 60,	/* ENOSTR */
	[61] = 61,	/* ENODATA */
	[62] = 62,	/* ETIME */
	[63] = 63,	/* ENOSR */
	[64] = 64,	/* ENONET */
	[65] = 65,	/* ENOPKG */
	[66] = 66,	/* EREMOTE */
	[67] = 67,	/* ENOLINK */
	[68] = 68,	/* EADV */
	[69] = 69,	/* ESRMNT */
	[70] = 70,	/* ECOMM */
	[71] = 71,	/* EPROTO */
	[72] = 74,	/* EMULTIHOP */
	[73] = 211,	/* EDOTDOT */
	[74] = 77,	/* EBADMSG */
	[75] = 79,	/* EOVERFLOW */
	[76] = 80,	/* ENOTUNIQ */
	[77] = 81,	/* EBADFD */
	[78] = 82,	/* EREMCHG */
	[79] = 83,	/* ELIBACC */
	[80] = 84,	/* ELIBBAD */
	[81] = 85,	/* ELIBSCN */
	[82] = 86,	/* ELIBMAX */
	[83] = 87,	/* ELIBEXEC */
	[84] = 88,	/* EILSEQ */
	[85] = 91,	/* ERESTART */
	[86] = 92,	/* ESTRPIPE */
	[87] = 94,	/* EUSERS */
	[88] = 95,	/* ENOTSOCK */
	[89] = 96,	/* EDESTADDRREQ */
	[90] = 97,	/* EMSGSIZE */
	[91] = 98,	/* EPROTOTYPE */
	[92] = 99,	/* ENOPROTOOPT */
	[93] = 120,	/* EPROTONOSUPPORT */
	[94] = 121,	/* ESOCKTNOSUPPORT */
	[95] = 48,	/* ENOTSUP */
	[96] = 123,	/* EPFNOSUPPORT */
	[97] = 124,	/* EAFNOSUPPORT */
	[98] = 125,	/* EADDRINUSE */
	[99] = 126,	/* EADDRNOTAVAIL */
	[100] = 127,	/* ENETDOWN */
	[101] = 128,	/* ENETUNREACH */
	[102] = 129,	/* ENETRESET */
	[103] = 130,	/* ECONNABORTED */
	[104] = 131,	/* ECONNRESET */
	[105] = 132,	/* ENOBUFS */
	[106] = 133,	/* EISCONN */
	[107] = 134,	/* ENOTCONN */
	[108] = 143,	/* ESHUTDOWN */
	[109] = 144,	/* ETOOMANYREFS */
	[110] = 145,	/* ETIMEDOUT */
	[111] = 146,	/* ECONNREFUSED */
	[112] = 147,	/* EHOSTDOWN */
	[113] = 148,	/* EHOSTUNREACH */
	[114] = 149,	/* EALREADY */
	[115] = 150,	/* EINPROGRESS */
	[116] = 151,	/* ESTALE */
	[117] = 212,	/* EUCLEAN */
	[118] = 213,	/* ENOTNAM */
	[119] = 214,	/* ENAVAIL */
	[120] = 215,	/* EISNAM */
	[121] = 216,	/* EREMOTEIO */
	[122] = 49,	/* EDQUOT */
	[123] = 217,	/* ENOMEDIUM */
	[124] = 218,	/* EMEDIUMTYPE */
	[125] = 47,	/* ECANCELED */
	[126] = 219,	/* ENOKEY */
	[127] = 220,	/* EKEYEXPIRED */
	[128] = 221,	/* EKEYREVOKED */
	[129] = 222,	/* EKEYREJECTED */
	[130] = 58,	/* EOWNERDEAD */
	[131] = 59,	/* ENOTRECOVERABLE */
};

#define BSM_ERRNO_UNKNOWN	250
#define BSM_ERRNO_EINTR		4

u8 lx_errno_to_bsm(long e)
{
	if (e >= 0 && e < ARRAY_SIZE(errno_to_bsm) && (e == 0 || errno_to_bsm[e]))
		return errno_to_bsm[e];
	/* the kernel's restart codes never reach user space as such */
	if (e >= ERESTARTSYS && e <= ERESTART_RESTARTBLOCK)
		return BSM_ERRNO_EINTR;
	return BSM_ERRNO_UNKNOWN;
}

#define BSM_PF_UNKNOWN	700
#define BSM_SOCK_UNKNOWN 500

/* BSM domain (audit_domain.h) for each Linux address family. */
static const u16 domain_to_bsm[] = {
	[AF_UNSPEC] = 0, [AF_UNIX] = 1, [AF_INET] = 2, [3] = 518 /* AX25 */,
	[4] = 23 /* IPX */, [5] = 16 /* APPLETALK */, [9] = 20 /* X25 */,
	[AF_INET6] = 26, [11] = 519 /* ROSE */, [12] = 12 /* DECnet */,
	[13] = 520 /* NETBEUI */, [14] = 521 /* SECURITY */, [15] = 27 /* KEY */,
	[16] = 24 /* ROUTE (NETLINK) */, [17] = 522 /* PACKET */,
	[18] = 523 /* ASH */, [19] = 524 /* ECONET */, [20] = 525 /* ATMSVC */,
	[22] = 11 /* SNA */, [23] = 526 /* IRDA */, [24] = 527 /* PPPOX */,
	[25] = 528 /* WANPIPE */, [26] = 529 /* LLC */, [29] = 530 /* CAN */,
	[30] = 531 /* TIPC */, [31] = 516 /* BLUETOOTH */, [32] = 532 /* IUCV */,
	[33] = 533 /* RXRPC */, [34] = 508 /* ISDN */, [35] = 534 /* PHONET */,
};

u16 lx_domain_to_bsm(int d)
{
	if (d == AF_UNSPEC)
		return 0;
	if (d > 0 && d < ARRAY_SIZE(domain_to_bsm) && domain_to_bsm[d])
		return domain_to_bsm[d];
	return BSM_PF_UNKNOWN;
}

u16 lx_socktype_to_bsm(int t)
{
	switch (t & SOCK_TYPE_MASK) {
	case SOCK_DGRAM:
		return 1;
	case SOCK_STREAM:
		return 2;
	case SOCK_RAW:
		return 4;
	case SOCK_RDM:
		return 5;
	case SOCK_SEQPACKET:
		return 6;
	}
	return BSM_SOCK_UNKNOWN;
}
