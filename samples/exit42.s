# A static program without libc: sums 1..10, prints "hello", exits with 42.
.globl _start
_start:
  mov $10, %ecx
  xor %eax, %eax
1: add %rcx, %rax
  dec %ecx
  jnz 1b
  cmp $55, %rax
  jne bad
  mov $1, %edi
  lea msg(%rip), %rsi
  mov $6, %edx
  mov $1, %eax
  syscall
  mov $42, %edi
  mov $231, %eax
  syscall
bad:
  mov $1, %edi
  mov $231, %eax
  syscall
.data
msg: .ascii "hello\n"
