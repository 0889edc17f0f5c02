// SPDX-License-Identifier: GPL-2.0
/*
 * lxbsm.ko - Linux writes BSM: a kernel-side producer of Sun Basic
 * Security Module audit records, the modern successor of LxBSM.
 *
 * It never touches the syscall table: it attaches probes to the raw
 * tracepoints sys_enter and sys_exit and to sched_process_fork,
 * sched_process_exec and sched_process_exit, found by name with
 * for_each_kernel_tracepoint() and registered with
 * tracepoint_probe_register().  Records go to a ring that /dev/lxbsm
 * drains (lxbsm_dev.c).
 *
 * This file: module set-up and tear-down, in order.  Preselection is in
 * lxbsm_select.c, the tracepoints in lxbsm_tracepoints.c.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/rcupdate.h>
#include "lxbsm_int.h"

#ifndef CONFIG_X86_64
#error "lxbsm: only x86_64 system call numbers are mapped so far"
#endif

static int __init lxbsm_init(void)
{
	int err;

	err = lx_select_init();
	if (err)
		goto free_cfg;
	err = lx_proc_init();
	if (err)
		goto free_cfg;
	err = lx_events_init();
	if (err)
		goto proc_exit;
	err = lx_dev_init();
	if (err)
		goto events_exit;
	err = lx_tracepoints_register();
	if (err)
		goto unregister;
	lx_uring_init();
	lx_block_init();
	err = lx_dev_register();
	if (err)
		goto block_exit;
	pr_info(LXBSM_NAME ": loaded; /dev/%s, ring %lu bytes\n", LXBSM_NAME,
		lx_bufsize);
	return 0;

block_exit:
	lx_block_exit();
	lx_uring_exit();
unregister:
	lx_tracepoints_unregister();
	lx_events_drain();
	lx_dev_exit();
events_exit:
	lx_events_exit();
proc_exit:
	lx_proc_exit();
free_cfg:
	rcu_barrier();
	lx_select_exit();
	return err;
}

static void __exit lxbsm_exit(void)
{
	lx_dev_unregister();
	lx_block_exit();
	lx_uring_exit();
	lx_tracepoints_unregister();
	lx_events_drain();
	lx_dev_exit();
	lx_events_exit();
	lx_proc_exit();
	/* kfree_rcu()'d entries must be gone before the module text is */
	rcu_barrier();
	lx_select_exit();
	pr_info(LXBSM_NAME ": unloaded\n");
}

module_init(lxbsm_init);
module_exit(lxbsm_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("BSM (Basic Security Module) audit records from tracepoints");
MODULE_AUTHOR("bsmkit");
