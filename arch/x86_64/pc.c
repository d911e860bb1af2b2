/* The program counter in fz_regs: used by freeze and by the stub. */
#include "arch.h"

uint64_t arch_pc(const struct fz_regs *regs)
{
	return regs->rip;
}

void arch_set_pc(struct fz_regs *regs, uint64_t pc)
{
	regs->rip = pc;
}
