/**
 * A small tp_btf program whose body and declarations a test chooses: enough
 * to give `core reloc` CO-RE records (task_struct fields) and kconfig externs.
 */
export function relocProgram(decls: string, body: string): string {
  return `
#define SEC(n) __attribute__((section(n), used))
${decls}
struct task_struct { int pid; int tgid; } __attribute__((preserve_access_index));
SEC("tp_btf/sched_switch") int prog(unsigned long long *ctx) {
  struct task_struct *t = (void *)ctx[1];
  return ${body};
}
char _license[] SEC("license") = "GPL";
`;
}
