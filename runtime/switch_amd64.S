/* Goroutine context switch for x86-64 (System V).
 *
 * Only callee-saved state is kept: the switch is a function call, so the
 * caller has already saved everything else. The saved frame, at the stack
 * pointer stored in *save_sp, is (8-byte slots, lowest address first):
 *   [0] MXCSR (low 32 bits) and the x87 control word (next 16 bits)
 *   [1] r15  [2] r14  [3] r13  [4] r12  [5] rbx  [6] rbp
 *   [7] return address
 * detector/stack_capture.c unwinds parked goroutines from this layout. */
#if defined(__x86_64__)
        .text
        .globl  tg__ctx_switch
        .hidden tg__ctx_switch
        .type   tg__ctx_switch,@function
        .p2align 4
/* void tg__ctx_switch(void **save_sp, void *new_sp) */
tg__ctx_switch:
        .cfi_startproc
        pushq   %rbp
        pushq   %rbx
        pushq   %r12
        pushq   %r13
        pushq   %r14
        pushq   %r15
        subq    $8, %rsp
        stmxcsr (%rsp)
        fnstcw  4(%rsp)
        movq    %rsp, (%rdi)
        movq    %rsi, %rsp
        ldmxcsr (%rsp)
        fldcw   4(%rsp)
        addq    $8, %rsp
        popq    %r15
        popq    %r14
        popq    %r13
        popq    %r12
        popq    %rbx
        popq    %rbp
        ret
        .cfi_endproc
        .size   tg__ctx_switch,.-tg__ctx_switch

        .globl  tg__ctx_start
        .hidden tg__ctx_start
        .type   tg__ctx_start,@function
        .p2align 4
/* First code of a new context: tg__ctx_switch "returns" here with
 * r12 = argument and r13 = entry function, which never returns. */
tg__ctx_start:
        .cfi_startproc
        .cfi_undefined rip
        xorl    %ebp, %ebp
        movq    %r12, %rdi
        callq   *%r13
        ud2
        .cfi_endproc
        .size   tg__ctx_start,.-tg__ctx_start
#else
#error "tangle: only x86-64 has a context switch so far"
#endif
        .section .note.GNU-stack,"",@progbits
