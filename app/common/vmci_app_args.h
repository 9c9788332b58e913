/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#ifndef _VMCI_APP_ARGS_H_
#define _VMCI_APP_ARGS_H_

/*
 * Split a DPDK application's command line at the first "--": EAL options
 * before it, the application's own after it. The application's part
 * starts with the program name in place of "--", as getopt expects
 * (argv[0] is skipped); without "--" it is the program name alone.
 *
 * @return
 *   The number of EAL arguments, argv[0] included.
 */
int
vmci_app_split_args(int argc, char **argv, int *app_argc, char ***app_argv);

#endif /* _VMCI_APP_ARGS_H_ */
