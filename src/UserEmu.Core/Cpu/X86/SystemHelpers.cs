using System.Diagnostics;
using UserEmu.Engine;

namespace UserEmu.Cpu.X86;

/// <summary>Helpers for cpuid and the time-stamp counter.</summary>
public static unsafe class SystemHelpers
{
    public static ulong Cpuid(Vcpu cpu, ulong a, ulong b, long imm)
    {
        var s = cpu.State;
        var (eax, ebx, ecx, edx) = cpu.Process.CpuModel.Cpuid((uint)s->Gpr[0], (uint)s->Gpr[1]);
        s->Gpr[0] = eax;
        s->Gpr[3] = ebx;
        s->Gpr[1] = ecx;
        s->Gpr[2] = edx;
        return 0;
    }

    /// <summary>The immediate of <see cref="Rdtsc"/> for rdtscp (0: rdtsc).</summary>
    public const long RdtscpImm = 1;

    /// <summary>rdtsc/rdtscp: a monotonic nanosecond count stands in for the TSC (frequency is not architectural).</summary>
    public static ulong Rdtsc(Vcpu cpu, ulong a, ulong b, long imm)
    {
        var s = cpu.State;
        ulong t = (ulong)Stopwatch.GetTimestamp();
        s->Gpr[0] = (uint)t;
        s->Gpr[2] = t >> 32;
        if (imm == RdtscpImm) s->Gpr[1] = 0;
        return 0;
    }
}
