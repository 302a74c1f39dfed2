/*
 * Dumps libseccomp's own syscall name -> number tables as CSV, one column per
 * syscall ABI, "PNR" where the ABI lacks the syscall. libseccomp is the table
 * every OCI runtime (runc, crun) resolves names with, so our compiler resolves
 * the same names to the same numbers.
 *
 * Build and run: see generate.sh beside this file.
 */
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct abi { const char *column; const char *token; long first, count; };

/* Numbers are scanned in each ABI's native range (mips has a base, x32 the
 * __X32_SYSCALL_BIT, arm a private range at 0xf0000). */
static const struct abi abis[] = {
	{ "x86", "x86", 0, 1024 },
	{ "x86_64", "x86_64", 0, 1024 },
	{ "x32", "x32", 0x40000000, 1024 },
	{ "arm", "arm", 0, 1024 },
	{ "aarch64", "aarch64", 0, 1024 },
	{ "mips", "mips", 4000, 1024 },
	{ "mips64", "mips64", 5000, 1024 },
	{ "mips64n32", "mips64n32", 6000, 1024 },
	{ "ppc", "ppc", 0, 1024 },
	{ "ppc64", "ppc64", 0, 1024 },
	{ "s390", "s390", 0, 1024 },
	{ "s390x", "s390x", 0, 1024 },
	{ "parisc", "parisc", 0, 1024 },
	{ "parisc64", "parisc64", 0, 1024 },
	{ "riscv64", "riscv64", 0, 1024 },
};
#define NABI (sizeof(abis) / sizeof(abis[0]))

static char *names[8192];
static int nnames;

static void add_name(const char *n)
{
	for (int i = 0; i < nnames; i++)
		if (strcmp(names[i], n) == 0)
			return;
	names[nnames++] = strdup(n);
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void)
{
	uint32_t arch[NABI];
	for (size_t a = 0; a < NABI; a++) {
		arch[a] = seccomp_arch_resolve_name(abis[a].token);
		if (arch[a] == 0) {
			fprintf(stderr, "libseccomp does not know %s\n", abis[a].token);
			return 1;
		}
		for (long n = abis[a].first; n < abis[a].first + abis[a].count; n++) {
			char *name = seccomp_syscall_resolve_num_arch(arch[a], (int)n);
			if (name) { add_name(name); free(name); }
		}
		if (strcmp(abis[a].column, "arm") == 0)
			for (long n = 0xf0000; n < 0xf0100; n++) {
				char *name = seccomp_syscall_resolve_num_arch(arch[a], (int)n);
				if (name) { add_name(name); free(name); }
			}
	}
	qsort(names, nnames, sizeof(names[0]), cmp);
	const struct scmp_version *v = seccomp_version();
	printf("#syscall (libseccomp %u.%u.%u)", v->major, v->minor, v->micro);
	for (size_t a = 0; a < NABI; a++)
		printf(",%s", abis[a].column);
	printf("\n");
	for (int i = 0; i < nnames; i++) {
		printf("%s", names[i]);
		for (size_t a = 0; a < NABI; a++) {
			int nr = seccomp_syscall_resolve_name_arch(arch[a], names[i]);
			/* negative numbers are libseccomp's pseudo-syscalls (multiplexed
			 * socketcall/ipc): no direct syscall number on that ABI */
			if (nr < 0) printf(",PNR"); else printf(",%d", nr);
		}
		printf("\n");
	}
	return 0;
}
