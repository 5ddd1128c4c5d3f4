/* Loadable (tp_btf/sched_switch): .kconfig externs next to CO-RE reads: an
 * int (CONFIG_HZ), a bool (CONFIG_BPF_SYSCALL), a char tristate-as-char
 * (CONFIG_SMP), LINUX_KERNEL_VERSION, and weak externs of options no kernel
 * config has (they read 0). */
#include "core.h"

#define __kconfig __attribute__((section(".kconfig")))
#define __weak __attribute__((weak))

extern int CONFIG_HZ __kconfig;
extern _Bool CONFIG_BPF_SYSCALL __kconfig;
extern char CONFIG_SMP __kconfig;
extern unsigned int LINUX_KERNEL_VERSION __kconfig;
extern int CONFIG_BTFKIT_NO_SUCH_OPTION __kconfig __weak;
extern _Bool CONFIG_BTFKIT_NO_SUCH_BOOL __kconfig __weak;

struct task_struct {
	int pid;
	u64 utime;
} __pai;

SEC("tp_btf/sched_switch")
int kconfig(unsigned long long *ctx)
{
	struct task_struct *prev = (void *)ctx[1];
	int r = prev->pid + CONFIG_HZ + CONFIG_SMP + (LINUX_KERNEL_VERSION >> 16);

	if (CONFIG_BPF_SYSCALL)
		r += (int)(prev->utime / CONFIG_HZ);
	if (CONFIG_BTFKIT_NO_SUCH_BOOL)
		r += 7;
	return r + CONFIG_BTFKIT_NO_SUCH_OPTION;
}

LICENSE_GPL;
