using System.Runtime.CompilerServices;
using System.Text;
using UserEmu.Cpu.X86;

namespace UserEmu.Tests.Cpu;

/// <summary>The x87 part of a differential run: the FXSAVE image in <see cref="CpuSnapshot.Fx"/>, loaded, saved and compared.</summary>
/// <remarks>Compared: FCW, FSW (with TOP), the abridged tag byte and the eight registers; not FOP/FIP/FDP, which CPUs store differently.</remarks>
public static unsafe class X87Snapshot
{
    static readonly ConditionalWeakTable<CpuTestCase, StrongBox<ushort>> FswMasks = new();

    /// <summary>Status-word bits to ignore for a case (condition codes the SDM leaves undefined for its instruction).</summary>
    public static void IgnoreFsw(CpuTestCase c, ushort bits) => FswMasks.AddOrUpdate(c, new StrongBox<ushort>(bits));

    static readonly ConditionalWeakTable<CpuTestCase, object> TopOnFault = new();

    /// <summary>
    /// When the case faults, TOP is not compared (the registers then by physical number): an MMX store that faults has
    /// already set TOP = 0 on Intel, while AMD leaves the x87 state as it was (its APM makes the transition atomic).
    /// </summary>
    public static void IgnoreTopOnFault(CpuTestCase c) => TopOnFault.AddOrUpdate(c, TopOnFault);

    public static void Load(CpuState* st, CpuSnapshot* s) => FxsaveArea.Restore(st, s->Fx);

    public static void Save(CpuState* st, CpuSnapshot* s) => FxsaveArea.Save(st, s->Fx);

    /// <summary>Builds the image: control word, status word (TOP in bits 11..13), abridged tags, and ST(i) relative to TOP.</summary>
    public static void Set(CpuSnapshot* s, ushort fcw, ushort fsw, byte tags, ReadOnlySpan<(ushort SignExp, ulong Mant)> st)
    {
        var fx = new Span<byte>(s->Fx, 512);
        fx[..160].Clear();
        BitConverter.TryWriteBytes(fx[0..], fcw);
        BitConverter.TryWriteBytes(fx[2..], fsw);
        fx[4] = tags;
        for (int i = 0; i < st.Length && i < 8; i++)
        {
            BitConverter.TryWriteBytes(fx[(32 + i * 16)..], st[i].Mant);
            BitConverter.TryWriteBytes(fx[(40 + i * 16)..], st[i].SignExp);
        }
    }

    public static void Compare(CpuTestCase c, CpuSnapshot* n, CpuSnapshot* e, StringBuilder sb)
    {
        ushort ignore = FswMasks.TryGetValue(c, out var box) ? box.Value : (ushort)0;
        bool physical = n->Signal != 0 && TopOnFault.TryGetValue(c, out _);
        if (physical) ignore |= 0x3800;
        ushort ncw = Unsafe.ReadUnaligned<ushort>(n->Fx), ecw = Unsafe.ReadUnaligned<ushort>(e->Fx);
        ushort nsw = Unsafe.ReadUnaligned<ushort>(n->Fx + 2), esw = Unsafe.ReadUnaligned<ushort>(e->Fx + 2);
        if (ncw != ecw) sb.Append($"fcw: cpu {ncw:x4} emu {ecw:x4}; ");
        if (((nsw ^ esw) & ~ignore) != 0) sb.Append($"fsw: cpu {nsw:x4} emu {esw:x4}; ");
        if (n->Fx[4] != e->Fx[4]) sb.Append($"ftw: cpu {n->Fx[4]:x2} emu {e->Fx[4]:x2}; ");
        // ST(i) relative to each side's TOP, or physical register Ri when TOP is not compared.
        int nTop = physical ? nsw >> 11 & 7 : 0, eTop = physical ? esw >> 11 & 7 : 0;
        for (int i = 0; i < 8; i++)
        {
            var a = new ReadOnlySpan<byte>(n->Fx + 32 + ((i - nTop) & 7) * 16, 10);
            var b = new ReadOnlySpan<byte>(e->Fx + 32 + ((i - eTop) & 7) * 16, 10);
            if (!a.SequenceEqual(b)) sb.Append($"{(physical ? "r" : "st")}{i}: cpu {Format(a)} emu {Format(b)}; ");
        }
    }

    static string Format(ReadOnlySpan<byte> r) => $"{BitConverter.ToUInt16(r[8..]):x4}:{BitConverter.ToUInt64(r):x16}";

    /// <summary>ST(i) registers and status as text, for failure messages.</summary>
    public static string Describe(CpuSnapshot* s)
    {
        var sb = new StringBuilder();
        sb.Append($"fcw={Unsafe.ReadUnaligned<ushort>(s->Fx):x4} fsw={Unsafe.ReadUnaligned<ushort>(s->Fx + 2):x4} ftw={s->Fx[4]:x2}");
        for (int i = 0; i < 8; i++) sb.Append($" st{i}={Format(new ReadOnlySpan<byte>(s->Fx + 32 + i * 16, 10))}");
        return sb.ToString();
    }
}
