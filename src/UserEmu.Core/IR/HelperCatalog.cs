using UserEmu.Frontend.X86;

namespace UserEmu.IR;

/// <summary>What state a helper may change, as its attributes say (<see cref="VectorStateOnlyAttribute"/> and the others).</summary>
public enum HelperEffects : byte
{
    /// <summary>Any state, and it may fault.</summary>
    AnyState = 1,
    /// <summary><see cref="VectorStateOnlyAttribute"/>.</summary>
    VectorOnly = 2,
    /// <summary><see cref="VectorStateAndMemoryAttribute"/>.</summary>
    VectorAndMemory = 3,
    /// <summary><see cref="VectorStateAndMxcsrAttribute"/>.</summary>
    VectorAndMxcsr = 4,
}

/// <summary>Every helper of the engine with its effects, under a number that is the same in each process of one engine build: how the persistent code cache names the helpers a stored block calls.</summary>
/// <remarks>
/// <see cref="HelperTable"/> numbers helpers in the order a process first meets them, so a block's ids mean nothing to
/// the next run. Built on first use, without reflection (a delegate per helper, compared by target method). The list is
/// checked against the helper methods in the assembly and their attributes by HelperCatalogTests, which prints the
/// lines to add or remove when a helper comes, goes or changes its attributes. <c>SignalHelpers.Raise</c> and
/// <c>Unsupported</c> are listed for their effects but not <see cref="Storable"/>: their immediates index this process's
/// decoded-instruction table (<c>InsnTable</c>).
/// </remarks>
public static class HelperCatalog
{
    static readonly Lock Sync = new();
    static Delegate[]? s_all;
    static HelperEffects[] s_effects = [];
    static bool[] s_storable = [];
    // Per HelperTable id: its catalog number + 1, -1 for a helper the catalog lacks, 0 not looked up yet.
    static int[] s_numberOfId = new int[256];
    // Per catalog number: its HelperTable id once registered (0: not yet). Each helper call of every block loaded
    // from the code cache maps a number (busybox true: IdOf's delegate lookups were ~2% of its guest thread).
    static ushort[] s_idOfNumber = [];

    /// <summary>The catalog number of helper <paramref name="id"/> (<see cref="HelperTable"/>), or -1 if it has none.</summary>
    public static int NumberOf(ushort id)
    {
        var all = All;
        lock (Sync)
        {
            if (id >= s_numberOfId.Length) Array.Resize(ref s_numberOfId, Math.Max(id + 1, 2 * s_numberOfId.Length));
            ref int known = ref s_numberOfId[id];
            if (known != 0) return known > 0 ? known - 1 : -1;
            var fn = HelperTable.DelegateOf(id);
            known = -1;
            for (int n = 0; n < all.Length; n++)
                if (all[n].Equals(fn))
                {
                    known = n + 1;
                    break;
                }
            return known > 0 ? known - 1 : -1;
        }
    }

    /// <summary>The <see cref="HelperTable"/> id of catalog entry <paramref name="number"/> (registered if new), or 0 for a number out of range.</summary>
    public static ushort IdOf(int number)
    {
        var all = All;
        if ((uint)number >= (uint)all.Length) return 0;
        if (Volatile.Read(ref s_idOfNumber)[number] is var known and > 0) return known;
        ushort id = all[number] is HelperFn fn ? HelperTable.Id(fn) : HelperTable.Id((PureFn)all[number]);
        lock (Sync)
        {
            if (id >= s_numberOfId.Length) Array.Resize(ref s_numberOfId, Math.Max(id + 1, 2 * s_numberOfId.Length));
            s_numberOfId[id] = number + 1;
            s_idOfNumber[number] = id;
        }
        return id;
    }

    /// <summary>The effects of entry <paramref name="number"/>.</summary>
    public static HelperEffects EffectsOf(int number) => Volatile.Read(ref s_effects)[number];

    /// <summary>Whether a block calling entry <paramref name="number"/> may be kept for another process.</summary>
    public static bool Storable(int number) => Volatile.Read(ref s_storable)[number];

    /// <summary>The catalog's delegates, in number order.</summary>
    public static Delegate[] All => Volatile.Read(ref s_all) ?? Build();

    static Delegate[] Build()
    {
        lock (Sync)
        {
            if (s_all != null) return s_all;
            var entries = Entries();
            var all = new Delegate[entries.Length];
            s_effects = new HelperEffects[entries.Length];
            s_storable = new bool[entries.Length];
            s_idOfNumber = new ushort[entries.Length];
            HelperFn raise = SignalHelpers.Raise, unsupported = SignalHelpers.Unsupported;
            for (int n = 0; n < entries.Length; n++)
            {
                (s_effects[n], all[n]) = entries[n];
                s_storable[n] = !all[n].Equals(raise) && !all[n].Equals(unsupported);
            }
            Volatile.Write(ref s_all, all);
            return all;
        }
    }

    static (HelperEffects, Delegate)[] Entries() =>
    [
        (HelperEffects.VectorOnly, (HelperFn)global::UserEmu.Cpu.X86.AesHelpers.Aesdec),
        (HelperEffects.VectorOnly, (HelperFn)global::UserEmu.Cpu.X86.AesHelpers.Aesdeclast),
        (HelperEffects.VectorOnly, (HelperFn)global::UserEmu.Cpu.X86.AesHelpers.Aesenc),
        (HelperEffects.VectorOnly, (HelperFn)global::UserEmu.Cpu.X86.AesHelpers.Aesenclast),
        (HelperEffects.VectorOnly, (HelperFn)global::UserEmu.Cpu.X86.AesHelpers.Aesimc),
        (HelperEffects.VectorOnly, (HelperFn)global::UserEmu.Cpu.X86.AesHelpers.Aeskeygenassist),
        (HelperEffects.VectorAndMxcsr, (HelperFn)global::UserEmu.Cpu.X86.AvxFmaHelpers.Fma),
        (HelperEffects.AnyState, (HelperFn)global::UserEmu.Cpu.X86.AvxMemoryHelpers.Gather),
        (HelperEffects.AnyState, (HelperFn)global::UserEmu.Cpu.X86.AvxMemoryHelpers.MaskMove),
        (HelperEffects.VectorOnly, (HelperFn)global::UserEmu.Cpu.X86.AvxPermuteHelpers.Apply),
        (HelperEffects.VectorOnly, (HelperFn)global::UserEmu.Cpu.X86.AvxPermuteHelpers.Test),
        (HelperEffects.VectorOnly, (HelperFn)global::UserEmu.Cpu.X86.ClmulHelpers.Pclmulqdq),
        (HelperEffects.VectorAndMxcsr, (HelperFn)global::UserEmu.Cpu.X86.F16cHelpers.HalfToSingle),
        (HelperEffects.VectorAndMxcsr, (HelperFn)global::UserEmu.Cpu.X86.F16cHelpers.SingleToHalf),
        (HelperEffects.AnyState, (HelperFn)global::UserEmu.Cpu.X86.FlagHelpers.Compute),
        (HelperEffects.AnyState, (PureFn)global::UserEmu.Cpu.X86.FlagHelpers.ComputePure),
        (HelperEffects.AnyState, (HelperFn)global::UserEmu.Cpu.X86.FlagHelpers.Condition),
        (HelperEffects.AnyState, (PureFn)global::UserEmu.Cpu.X86.FlagHelpers.ConditionPure),
        (HelperEffects.AnyState, (HelperFn)global::UserEmu.Cpu.X86.FlagHelpers.ReadRflags),
        (HelperEffects.AnyState, (HelperFn)global::UserEmu.Cpu.X86.FlagHelpers.WriteRflags),
        (HelperEffects.AnyState, (HelperFn)global::UserEmu.Cpu.X86.IntegerHelpers.CompareExchange16),
        (HelperEffects.AnyState, (HelperFn)global::UserEmu.Cpu.X86.IntegerHelpers.Crc32C),
        (HelperEffects.AnyState, (HelperFn)global::UserEmu.Cpu.X86.IntegerHelpers.Divide),
        (HelperEffects.AnyState, (HelperFn)global::UserEmu.Cpu.X86.IntegerHelpers.Pdep),
        (HelperEffects.AnyState, (HelperFn)global::UserEmu.Cpu.X86.IntegerHelpers.Pext),
        (HelperEffects.AnyState, (PureFn)global::UserEmu.Cpu.X86.IntegerHelpers.PopCount),
        (HelperEffects.AnyState, (HelperFn)global::UserEmu.Cpu.X86.IntegerHelpers.Random),
        (HelperEffects.AnyState, (HelperFn)global::UserEmu.Cpu.X86.IntegerHelpers.RotateThroughCarry),
        (HelperEffects.AnyState, (HelperFn)global::UserEmu.Cpu.X86.IntegerHelpers.RotateThroughCarryFlags),
        (HelperEffects.AnyState, (HelperFn)global::UserEmu.Cpu.X86.LockedAccessHelpers.FullFence),
        (HelperEffects.AnyState, (HelperFn)global::UserEmu.Cpu.X86.LockedAccessHelpers.LoadLinked),
        (HelperEffects.AnyState, (HelperFn)global::UserEmu.Cpu.X86.LockedAccessHelpers.StoreConditional),
        (HelperEffects.AnyState, (HelperFn)global::UserEmu.Cpu.X86.MaskedStore.Maskmovdqu),
        (HelperEffects.AnyState, (HelperFn)global::UserEmu.Cpu.X86.MaskedStore.Maskmovq),
        (HelperEffects.VectorOnly, (HelperFn)global::UserEmu.Cpu.X86.PackedCompareHelpers.Mpsadbw),
        (HelperEffects.VectorOnly, (HelperFn)global::UserEmu.Cpu.X86.PackedCompareHelpers.Phminposuw),
        (HelperEffects.VectorOnly, (HelperFn)global::UserEmu.Cpu.X86.PackedCompareHelpers.Ptest),
        (HelperEffects.VectorOnly, (HelperFn)global::UserEmu.Cpu.X86.PackedIntHelpers.Pabsb),
        (HelperEffects.VectorOnly, (HelperFn)global::UserEmu.Cpu.X86.PackedIntHelpers.Pabsd),
        (HelperEffects.VectorOnly, (HelperFn)global::UserEmu.Cpu.X86.PackedIntHelpers.Pabsw),
        (HelperEffects.VectorOnly, (HelperFn)global::UserEmu.Cpu.X86.PackedIntHelpers.Paddsb),
        (HelperEffects.VectorOnly, (HelperFn)global::UserEmu.Cpu.X86.PackedIntHelpers.Paddsw),
        (HelperEffects.VectorOnly, (HelperFn)global::UserEmu.Cpu.X86.PackedIntHelpers.Paddusb),
        (HelperEffects.VectorOnly, (HelperFn)global::UserEmu.Cpu.X86.PackedIntHelpers.Paddusw),
        (HelperEffects.VectorOnly, (HelperFn)global::UserEmu.Cpu.X86.PackedIntHelpers.Pavgb),
        (HelperEffects.VectorOnly, (HelperFn)global::UserEmu.Cpu.X86.PackedIntHelpers.Pavgw),
        (HelperEffects.VectorOnly, (HelperFn)global::UserEmu.Cpu.X86.PackedIntHelpers.Phaddd),
        (HelperEffects.VectorOnly, (HelperFn)global::UserEmu.Cpu.X86.PackedIntHelpers.Phaddsw),
        (HelperEffects.VectorOnly, (HelperFn)global::UserEmu.Cpu.X86.PackedIntHelpers.Phaddw),
        (HelperEffects.VectorOnly, (HelperFn)global::UserEmu.Cpu.X86.PackedIntHelpers.Phsubd),
        (HelperEffects.VectorOnly, (HelperFn)global::UserEmu.Cpu.X86.PackedIntHelpers.Phsubsw),
        (HelperEffects.VectorOnly, (HelperFn)global::UserEmu.Cpu.X86.PackedIntHelpers.Phsubw),
        (HelperEffects.VectorOnly, (HelperFn)global::UserEmu.Cpu.X86.PackedIntHelpers.Pmaddubsw),
        (HelperEffects.VectorOnly, (HelperFn)global::UserEmu.Cpu.X86.PackedIntHelpers.Pmaddwd),
        (HelperEffects.VectorOnly, (HelperFn)global::UserEmu.Cpu.X86.PackedIntHelpers.Pmaxsb),
        (HelperEffects.VectorOnly, (HelperFn)global::UserEmu.Cpu.X86.PackedIntHelpers.Pmaxsd),
        (HelperEffects.VectorOnly, (HelperFn)global::UserEmu.Cpu.X86.PackedIntHelpers.Pmaxsw),
        (HelperEffects.VectorOnly, (HelperFn)global::UserEmu.Cpu.X86.PackedIntHelpers.Pmaxud),
        (HelperEffects.VectorOnly, (HelperFn)global::UserEmu.Cpu.X86.PackedIntHelpers.Pmaxuw),
        (HelperEffects.VectorOnly, (HelperFn)global::UserEmu.Cpu.X86.PackedIntHelpers.Pminsb),
        (HelperEffects.VectorOnly, (HelperFn)global::UserEmu.Cpu.X86.PackedIntHelpers.Pminsd),
        (HelperEffects.VectorOnly, (HelperFn)global::UserEmu.Cpu.X86.PackedIntHelpers.Pminsw),
        (HelperEffects.VectorOnly, (HelperFn)global::UserEmu.Cpu.X86.PackedIntHelpers.Pminud),
        (HelperEffects.VectorOnly, (HelperFn)global::UserEmu.Cpu.X86.PackedIntHelpers.Pminuw),
        (HelperEffects.VectorOnly, (HelperFn)global::UserEmu.Cpu.X86.PackedIntHelpers.Pmuldq),
        (HelperEffects.VectorOnly, (HelperFn)global::UserEmu.Cpu.X86.PackedIntHelpers.Pmulhrsw),
        (HelperEffects.VectorOnly, (HelperFn)global::UserEmu.Cpu.X86.PackedIntHelpers.Pmulhuw),
        (HelperEffects.VectorOnly, (HelperFn)global::UserEmu.Cpu.X86.PackedIntHelpers.Pmulhw),
        (HelperEffects.VectorOnly, (HelperFn)global::UserEmu.Cpu.X86.PackedIntHelpers.Pmulld),
        (HelperEffects.VectorOnly, (HelperFn)global::UserEmu.Cpu.X86.PackedIntHelpers.Pmullw),
        (HelperEffects.VectorOnly, (HelperFn)global::UserEmu.Cpu.X86.PackedIntHelpers.Pmuludq),
        (HelperEffects.VectorOnly, (HelperFn)global::UserEmu.Cpu.X86.PackedIntHelpers.Psadbw),
        (HelperEffects.VectorOnly, (HelperFn)global::UserEmu.Cpu.X86.PackedIntHelpers.Psignb),
        (HelperEffects.VectorOnly, (HelperFn)global::UserEmu.Cpu.X86.PackedIntHelpers.Psignd),
        (HelperEffects.VectorOnly, (HelperFn)global::UserEmu.Cpu.X86.PackedIntHelpers.Psignw),
        (HelperEffects.VectorOnly, (HelperFn)global::UserEmu.Cpu.X86.PackedIntHelpers.Psubsb),
        (HelperEffects.VectorOnly, (HelperFn)global::UserEmu.Cpu.X86.PackedIntHelpers.Psubsw),
        (HelperEffects.VectorOnly, (HelperFn)global::UserEmu.Cpu.X86.PackedIntHelpers.Psubusb),
        (HelperEffects.VectorOnly, (HelperFn)global::UserEmu.Cpu.X86.PackedIntHelpers.Psubusw),
        (HelperEffects.VectorOnly, (HelperFn)global::UserEmu.Cpu.X86.PackedShiftHelpers.Pslld),
        (HelperEffects.VectorOnly, (HelperFn)global::UserEmu.Cpu.X86.PackedShiftHelpers.Psllq),
        (HelperEffects.VectorOnly, (HelperFn)global::UserEmu.Cpu.X86.PackedShiftHelpers.Psllw),
        (HelperEffects.VectorOnly, (HelperFn)global::UserEmu.Cpu.X86.PackedShiftHelpers.Psrad),
        (HelperEffects.VectorOnly, (HelperFn)global::UserEmu.Cpu.X86.PackedShiftHelpers.Psraw),
        (HelperEffects.VectorOnly, (HelperFn)global::UserEmu.Cpu.X86.PackedShiftHelpers.Psrld),
        (HelperEffects.VectorOnly, (HelperFn)global::UserEmu.Cpu.X86.PackedShiftHelpers.Psrlq),
        (HelperEffects.VectorOnly, (HelperFn)global::UserEmu.Cpu.X86.PackedShiftHelpers.Psrlw),
        (HelperEffects.VectorOnly, (HelperFn)global::UserEmu.Cpu.X86.ShuffleHelpers.Extend),
        (HelperEffects.VectorOnly, (HelperFn)global::UserEmu.Cpu.X86.ShuffleHelpers.Packssdw),
        (HelperEffects.VectorOnly, (HelperFn)global::UserEmu.Cpu.X86.ShuffleHelpers.Packsswb),
        (HelperEffects.VectorOnly, (HelperFn)global::UserEmu.Cpu.X86.ShuffleHelpers.Packusdw),
        (HelperEffects.VectorOnly, (HelperFn)global::UserEmu.Cpu.X86.ShuffleHelpers.Packuswb),
        (HelperEffects.VectorOnly, (HelperFn)global::UserEmu.Cpu.X86.ShuffleHelpers.Pblendvb),
        (HelperEffects.VectorOnly, (HelperFn)global::UserEmu.Cpu.X86.ShuffleHelpers.Pblendw),
        (HelperEffects.VectorOnly, (HelperFn)global::UserEmu.Cpu.X86.ShuffleHelpers.PshufHalfWords),
        (HelperEffects.VectorOnly, (HelperFn)global::UserEmu.Cpu.X86.ShuffleHelpers.Pshufb),
        (HelperEffects.VectorAndMxcsr, (HelperFn)global::UserEmu.Cpu.X86.SseArithFastHelpers.AddPd),
        (HelperEffects.VectorAndMxcsr, (HelperFn)global::UserEmu.Cpu.X86.SseArithFastHelpers.AddPs),
        (HelperEffects.VectorAndMxcsr, (HelperFn)global::UserEmu.Cpu.X86.SseArithFastHelpers.AddSd),
        (HelperEffects.VectorAndMxcsr, (HelperFn)global::UserEmu.Cpu.X86.SseArithFastHelpers.AddSs),
        (HelperEffects.VectorAndMxcsr, (HelperFn)global::UserEmu.Cpu.X86.SseArithFastHelpers.DivPd),
        (HelperEffects.VectorAndMxcsr, (HelperFn)global::UserEmu.Cpu.X86.SseArithFastHelpers.DivPs),
        (HelperEffects.VectorAndMxcsr, (HelperFn)global::UserEmu.Cpu.X86.SseArithFastHelpers.DivSd),
        (HelperEffects.VectorAndMxcsr, (HelperFn)global::UserEmu.Cpu.X86.SseArithFastHelpers.DivSs),
        (HelperEffects.VectorAndMxcsr, (HelperFn)global::UserEmu.Cpu.X86.SseArithFastHelpers.MaxPd),
        (HelperEffects.VectorAndMxcsr, (HelperFn)global::UserEmu.Cpu.X86.SseArithFastHelpers.MaxPs),
        (HelperEffects.VectorAndMxcsr, (HelperFn)global::UserEmu.Cpu.X86.SseArithFastHelpers.MaxSd),
        (HelperEffects.VectorAndMxcsr, (HelperFn)global::UserEmu.Cpu.X86.SseArithFastHelpers.MaxSs),
        (HelperEffects.VectorAndMxcsr, (HelperFn)global::UserEmu.Cpu.X86.SseArithFastHelpers.MinPd),
        (HelperEffects.VectorAndMxcsr, (HelperFn)global::UserEmu.Cpu.X86.SseArithFastHelpers.MinPs),
        (HelperEffects.VectorAndMxcsr, (HelperFn)global::UserEmu.Cpu.X86.SseArithFastHelpers.MinSd),
        (HelperEffects.VectorAndMxcsr, (HelperFn)global::UserEmu.Cpu.X86.SseArithFastHelpers.MinSs),
        (HelperEffects.VectorAndMxcsr, (HelperFn)global::UserEmu.Cpu.X86.SseArithFastHelpers.MulPd),
        (HelperEffects.VectorAndMxcsr, (HelperFn)global::UserEmu.Cpu.X86.SseArithFastHelpers.MulPs),
        (HelperEffects.VectorAndMxcsr, (HelperFn)global::UserEmu.Cpu.X86.SseArithFastHelpers.MulSd),
        (HelperEffects.VectorAndMxcsr, (HelperFn)global::UserEmu.Cpu.X86.SseArithFastHelpers.MulSs),
        (HelperEffects.VectorAndMxcsr, (HelperFn)global::UserEmu.Cpu.X86.SseArithFastHelpers.SqrtPd),
        (HelperEffects.VectorAndMxcsr, (HelperFn)global::UserEmu.Cpu.X86.SseArithFastHelpers.SqrtPs),
        (HelperEffects.VectorAndMxcsr, (HelperFn)global::UserEmu.Cpu.X86.SseArithFastHelpers.SqrtSd),
        (HelperEffects.VectorAndMxcsr, (HelperFn)global::UserEmu.Cpu.X86.SseArithFastHelpers.SqrtSs),
        (HelperEffects.VectorAndMxcsr, (HelperFn)global::UserEmu.Cpu.X86.SseArithFastHelpers.SubPd),
        (HelperEffects.VectorAndMxcsr, (HelperFn)global::UserEmu.Cpu.X86.SseArithFastHelpers.SubPs),
        (HelperEffects.VectorAndMxcsr, (HelperFn)global::UserEmu.Cpu.X86.SseArithFastHelpers.SubSd),
        (HelperEffects.VectorAndMxcsr, (HelperFn)global::UserEmu.Cpu.X86.SseArithFastHelpers.SubSs),
        (HelperEffects.VectorAndMxcsr, (HelperFn)global::UserEmu.Cpu.X86.SseArithHelpers.AddSub),
        (HelperEffects.VectorAndMxcsr, (HelperFn)global::UserEmu.Cpu.X86.SseArithHelpers.Approx),
        (HelperEffects.VectorAndMxcsr, (HelperFn)global::UserEmu.Cpu.X86.SseArithHelpers.Compare),
        (HelperEffects.VectorAndMxcsr, (HelperFn)global::UserEmu.Cpu.X86.SseArithHelpers.CompareFlags),
        (HelperEffects.VectorAndMxcsr, (HelperFn)global::UserEmu.Cpu.X86.SseArithHelpers.DotDouble),
        (HelperEffects.VectorAndMxcsr, (HelperFn)global::UserEmu.Cpu.X86.SseArithHelpers.DotSingle),
        (HelperEffects.VectorAndMxcsr, (HelperFn)global::UserEmu.Cpu.X86.SseArithHelpers.Horizontal),
        (HelperEffects.VectorAndMxcsr, (HelperFn)global::UserEmu.Cpu.X86.SseConvertHelpers.Convert),
        (HelperEffects.VectorAndMxcsr, (HelperFn)global::UserEmu.Cpu.X86.SseConvertHelpers.FromInteger),
        (HelperEffects.VectorAndMxcsr, (HelperFn)global::UserEmu.Cpu.X86.SseConvertHelpers.RoundIntegral),
        (HelperEffects.VectorAndMxcsr, (HelperFn)global::UserEmu.Cpu.X86.SseConvertHelpers.ToInteger),
        (HelperEffects.AnyState, (HelperFn)global::UserEmu.Cpu.X86.SseShuffleHelpers.Shuffle),
        (HelperEffects.AnyState, (HelperFn)global::UserEmu.Cpu.X86.SseStateHelpers.LoadMxcsr),
        (HelperEffects.AnyState, (HelperFn)global::UserEmu.Cpu.X86.SseStateHelpers.Restore),
        (HelperEffects.AnyState, (HelperFn)global::UserEmu.Cpu.X86.SseStateHelpers.Save),
        (HelperEffects.VectorOnly, (HelperFn)global::UserEmu.Cpu.X86.SseStringCompare.Compare),
        (HelperEffects.AnyState, (HelperFn)global::UserEmu.Cpu.X86.StringHelpers.Run),
        (HelperEffects.AnyState, (HelperFn)global::UserEmu.Cpu.X86.SystemHelpers.Cpuid),
        (HelperEffects.AnyState, (HelperFn)global::UserEmu.Cpu.X86.SystemHelpers.Rdtsc),
        (HelperEffects.VectorOnly, (HelperFn)global::UserEmu.Cpu.X86.WholeVectorHelpers.OnRegisters),
        (HelperEffects.VectorAndMemory, (HelperFn)global::UserEmu.Cpu.X86.WholeVectorHelpers.WithMemory),
        (HelperEffects.AnyState, (HelperFn)global::UserEmu.Cpu.X86.X87.MmxHelpers.CheckPending),
        (HelperEffects.AnyState, (HelperFn)global::UserEmu.Cpu.X86.X87.X87Helpers.Arith),
        (HelperEffects.AnyState, (HelperFn)global::UserEmu.Cpu.X86.X87.X87Helpers.Compare),
        (HelperEffects.AnyState, (HelperFn)global::UserEmu.Cpu.X86.X87.X87Helpers.Control),
        (HelperEffects.AnyState, (HelperFn)global::UserEmu.Cpu.X86.X87.X87Helpers.Load),
        (HelperEffects.AnyState, (HelperFn)global::UserEmu.Cpu.X86.X87.X87Helpers.Stack),
        (HelperEffects.AnyState, (HelperFn)global::UserEmu.Cpu.X86.X87.X87Helpers.Store),
        (HelperEffects.AnyState, (HelperFn)global::UserEmu.Cpu.X86.X87.X87Helpers.Unary),
        (HelperEffects.AnyState, (HelperFn)global::UserEmu.Cpu.X86.XsaveHelpers.Restore),
        (HelperEffects.AnyState, (HelperFn)global::UserEmu.Cpu.X86.XsaveHelpers.Save),
        (HelperEffects.AnyState, (HelperFn)global::UserEmu.Cpu.X86.XsaveHelpers.Xgetbv),
        (HelperEffects.AnyState, (HelperFn)global::UserEmu.Frontend.X86.SignalHelpers.FetchFault),
        (HelperEffects.AnyState, (HelperFn)global::UserEmu.Frontend.X86.SignalHelpers.Raise),
        (HelperEffects.AnyState, (HelperFn)global::UserEmu.Frontend.X86.SignalHelpers.Unsupported),
    ];
}
